"""One CloudFormation stack, created or updated through a change set, its events as progress.

A change set shows what will change before anything does; one that holds no change
is deleted, never executed, so deploying what is deployed changes nothing. While a
stack moves, its new events are printed as they come, and an optional callback
(the CodeDeploy watch of a canary) runs at every poll. A stack that fails or rolls
back raises StackFailed with the first reason CloudFormation gave.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[str], None]

DONE = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"})
ROLLED_BACK = frozenset(
    {"UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
)
# What CloudFormation says when a change set would change nothing (AWS and moto word it apart).
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# Reasons that only echo another resource's failure.
_ECHOES = ("Resource creation cancelled", "Resource update cancelled")


class StackFailed(Exception):
    """The stack did not reach the state asked for; `reason` is CloudFormation's first reason."""

    def __init__(self, stack: str, status: str, reason: str) -> None:
        super().__init__(f"stack {stack}: {status}: {reason}")
        self.stack = stack
        self.status = status
        self.reason = reason

    @property
    def rolled_back(self) -> bool:
        """True when CloudFormation put the stack back as it was (a canary's alarm, a failure)."""
        return self.status in ROLLED_BACK


@dataclass(frozen=True)
class Polling:
    """How often and how long to wait; tests pass a sleep that returns at once."""

    interval: float = 5.0
    timeout: float = 3 * 3600.0
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Deployed:
    """What a deploy did: whether it executed a change set, and the stack's outputs."""

    changed: bool
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """A template given inline (at most 51,200 bytes) or by its S3 URL."""

    body: str = ""
    url: str = ""

    def arguments(self) -> dict[str, str]:
        """The TemplateBody or TemplateURL argument of CreateChangeSet."""
        return {"TemplateURL": self.url} if self.url else {"TemplateBody": self.body}


def stack_status(cloudformation: Any, name: str) -> str | None:
    """The stack's status, or None when there is no such stack."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return str(stacks[0]["StackStatus"]) if stacks else None


def outputs_of(cloudformation: Any, name: str) -> dict[str, str]:
    """The outputs of the stack `name`."""
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def deploy_stack(
    cloudformation: Any,
    name: str,
    template: Template,
    *,
    parameters: dict[str, str] | None = None,
    capabilities: Sequence[str] = (),
    tags: dict[str, str] | None = None,
    progress: Progress = print,
    polling: Polling = Polling(),
    while_waiting: Callable[[], None] | None = None,
) -> Deployed:
    """Create or update the stack `name` through a change set; return what it did.

    Raises StackFailed when the change set cannot be made or the stack fails or rolls back.
    """
    status = stack_status(cloudformation, name)
    if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise StackFailed(name, status, "another operation is under way; wait for it to end")
    if status == "ROLLBACK_COMPLETE":
        # A stack whose creation failed can only be deleted; make it again.
        progress(f"stack {name}: its creation had failed; deleting it to start again")
        delete_stack(cloudformation, name, progress=progress, polling=polling)
        status = None
    exists = status not in (None, "REVIEW_IN_PROGRESS")
    change_set = f"deploy-{uuid.uuid4().hex[:12]}"
    request: dict[str, Any] = {
        "StackName": name,
        "ChangeSetName": change_set,
        "ChangeSetType": "UPDATE" if exists else "CREATE",
        "Parameters": [
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in (parameters or {}).items()
        ],
        "Capabilities": list(capabilities),
        "Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()],
        **template.arguments(),
    }
    try:
        cloudformation.create_change_set(**request)
    except cloudformation.exceptions.ClientError as error:
        if not _no_changes(str(error)):
            raise
        # moto refuses an empty change set at once; AWS makes one that fails (below).
        progress(f"stack {name}: no changes")
        return Deployed(False, outputs_of(cloudformation, name))
    described = wait_for_change_set(cloudformation, name, change_set, polling)
    if described["Status"] == "FAILED":
        reason = str(described.get("StatusReason", "no reason given"))
        cloudformation.delete_change_set(StackName=name, ChangeSetName=change_set)
        if exists and _no_changes(reason):
            progress(f"stack {name}: no changes")
            return Deployed(False, outputs_of(cloudformation, name))
        if not exists:
            # CREATE left an empty stack in REVIEW_IN_PROGRESS behind.
            cloudformation.delete_stack(StackName=name)
        raise StackFailed(name, "change set FAILED", reason)
    for change in described.get("Changes", []):
        resource = change.get("ResourceChange", {})
        progress(
            f"  {resource.get('Action', '?'):<7} {resource.get('LogicalResourceId', '?')} "
            f"({resource.get('ResourceType', '?')})"
        )
    progress(f"stack {name}: {'updating' if exists else 'creating'} (change set {change_set})")
    seen = _newest_event_id(cloudformation, name)
    cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
    final, reason = wait_for_stack(cloudformation, name, seen, progress, polling, while_waiting)
    if final not in DONE:
        raise StackFailed(name, final, reason)
    progress(f"stack {name}: {final}")
    return Deployed(True, outputs_of(cloudformation, name))


def wait_for_change_set(
    cloudformation: Any, name: str, change_set: str, polling: Polling
) -> dict[str, Any]:
    """Poll the change set until it is ready or failed; return its description."""
    deadline = time.monotonic() + polling.timeout
    while True:
        described: dict[str, Any] = cloudformation.describe_change_set(
            StackName=name, ChangeSetName=change_set
        )
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        if time.monotonic() > deadline:
            raise StackFailed(name, str(described["Status"]), "the change set took too long")
        polling.sleep(polling.interval)


def wait_for_stack(
    cloudformation: Any,
    name: str,
    seen: str | None,
    progress: Progress,
    polling: Polling,
    while_waiting: Callable[[], None] | None = None,
) -> tuple[str, str]:
    """Poll until the stack's operation ends, printing its new events; (status, first reason).

    `seen` is the newest event before the operation: only later events are shown.
    """
    deadline = time.monotonic() + polling.timeout
    reasons: list[str] = []
    while True:
        status = stack_status(cloudformation, name) or "DELETE_COMPLETE"
        events = _events_since(cloudformation, name, seen) if status != "DELETE_COMPLETE" else []
        for event in events:
            reason = str(event.get("ResourceStatusReason", ""))
            line = f"  {event['LogicalResourceId']:<32} {event['ResourceStatus']}"
            progress(f"{line}  {reason[:160]}".rstrip())
            if (
                event["ResourceStatus"].endswith("FAILED")
                and reason
                and not reason.startswith(_ECHOES)
            ):
                reasons.append(reason)
        if events:
            seen = str(events[-1]["EventId"])
        if not status.endswith("_IN_PROGRESS"):
            return status, reasons[0] if reasons else status
        if time.monotonic() > deadline:
            return status, "timed out waiting for the stack"
        if while_waiting is not None:
            while_waiting()
        polling.sleep(polling.interval)


def delete_stack(
    cloudformation: Any,
    name: str,
    *,
    progress: Progress = print,
    polling: Polling = Polling(),
) -> bool:
    """Delete the stack `name` and wait until it is gone; False when there was none."""
    if stack_status(cloudformation, name) is None:
        progress(f"stack {name}: not there")
        return False
    seen = _newest_event_id(cloudformation, name)
    cloudformation.delete_stack(StackName=name)
    progress(f"stack {name}: deleting")
    final, reason = wait_for_stack(cloudformation, name, seen, progress, polling)
    if final != "DELETE_COMPLETE":
        raise StackFailed(name, final, reason)
    progress(f"stack {name}: deleted")
    return True


def _newest_event_id(cloudformation: Any, name: str) -> str | None:
    if stack_status(cloudformation, name) is None:
        return None
    events = cloudformation.describe_stack_events(StackName=name).get("StackEvents", [])
    return str(events[0]["EventId"]) if events else None


def _events_since(cloudformation: Any, name: str, seen: str | None) -> list[dict[str, Any]]:
    """Events newer than `seen`, oldest first (CloudFormation lists the newest first)."""
    newer: list[dict[str, Any]] = []
    try:
        for page in cloudformation.get_paginator("describe_stack_events").paginate(StackName=name):
            for event in page["StackEvents"]:
                if event["EventId"] == seen:
                    return list(reversed(newer))
                newer.append(event)
    except cloudformation.exceptions.ClientError as error:
        # A stack being deleted can be gone between its status and its events.
        if "does not exist" not in str(error):
            raise
    return list(reversed(newer))


def _no_changes(reason: str) -> bool:
    return any(words in reason for words in _NO_CHANGES)
