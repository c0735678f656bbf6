"""A stage's own resources (infra/stage.yaml): a stack on AWS, applied resources locally.

On AWS the template is deployed as the stack `<prefix>-<stage>` through a change
set, so a deploy with nothing changed executes nothing. Neither emulator's
CloudFormation can hold this template (Cognito, alarms, metric filters), so on
the local cloud stage_resources applies it resource by resource instead; both
return the template's outputs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import WaiterError

from .cfn_template import load_template
from .project_config import ProjectConfig
from .stage_resources import (
    TEMPLATE,
    ClientFactory,
    RetainedResource,
    delete_resource,
    locate_stage,
    provision_stage,
    remove_stage,
    retained_resources,
)


class StackError(Exception):
    """CloudFormation did not reach the state asked for; the message names the stack and reason."""


def deploy_local(
    project: ProjectConfig, stage: str, clients: ClientFactory, progress: Callable[[str], None]
) -> dict[str, str]:
    """Provision the stage on the local cloud; return the template's outputs."""
    resources = provision_stage(project, stage, clients)
    progress(f"stage {stage}: {len(resources.physical_ids)} resources on the local cloud")
    return resources.outputs


def remove_local(
    project: ProjectConfig, stage: str, clients: ClientFactory, delete_data: bool
) -> None:
    """Remove the stage's resources from the local cloud; its data (tables, user pool, secret)
    only if asked."""
    remove_stage(project, locate_stage(project, stage, clients), clients, delete_data)


def deploy_aws(
    project: ProjectConfig,
    stage: str,
    clients: ClientFactory,
    parameters: dict[str, str],
    progress: Callable[[str], None],
) -> dict[str, str]:
    """Create or update the stage's stack through a change set; return its outputs.

    A new stack first imports the data an earlier teardown kept (tables, user pool,
    secret), so a stage torn down without --delete-data comes back with its data.
    """
    cloudformation = clients("cloudformation")
    name = project.stack_name(stage)
    body = (project.root / TEMPLATE).read_text(encoding="utf-8")
    exists = _stack_status(cloudformation, name) not in (None, "REVIEW_IN_PROGRESS")
    if not exists:
        kept = retained_resources(project, stage, clients)
        if kept:
            _import(project, name, cloudformation, kept, parameters, progress)
            exists = True
    change_set = f"deploy-{int(time.time())}"
    try:
        cloudformation.create_change_set(
            StackName=name,
            ChangeSetName=change_set,
            ChangeSetType="UPDATE" if exists else "CREATE",
            TemplateBody=body,
            Parameters=_parameter_list(parameters),
            Capabilities=["CAPABILITY_NAMED_IAM"],
            Tags=[{"Key": "project", "Value": project.prefix}, {"Key": "stage", "Value": stage}],
        )
    except cloudformation.exceptions.ClientError as error:
        # moto refuses an empty change set at once; AWS makes one that fails (below).
        if not _no_changes(str(error)):
            raise
        progress(f"stack {name}: no changes")
        return outputs_of(cloudformation, name)
    progress(f"stack {name}: change set {change_set} created, waiting for it")
    failure = _change_set_failure(cloudformation, name, change_set)
    if failure is not None:
        if _no_changes(failure):
            cloudformation.delete_change_set(StackName=name, ChangeSetName=change_set)
            progress(f"stack {name}: no changes")
            return outputs_of(cloudformation, name)
        raise StackError(f"stack {name}: change set failed: {failure}")
    progress(f"stack {name}: {'updating' if exists else 'creating'}")
    waiter = "stack_update_complete" if exists else "stack_create_complete"
    _execute(cloudformation, name, change_set, waiter, progress)
    return outputs_of(cloudformation, name)


def _import(
    project: ProjectConfig,
    name: str,
    cloudformation: Any,
    kept: list[RetainedResource],
    parameters: dict[str, str],
    progress: Callable[[str], None],
) -> None:
    """Make the stack `name` out of `kept` alone (an import may create nothing else)."""
    template = load_template(project.root / TEMPLATE)
    partial = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": template.get("Parameters", {}),
        "Resources": {
            resource.logical_id: template["Resources"][resource.logical_id] for resource in kept
        },
    }
    change_set = f"import-{int(time.time())}"
    logical_ids = ", ".join(resource.logical_id for resource in kept)
    progress(f"stack {name}: importing what a teardown kept: {logical_ids}")
    cloudformation.create_change_set(
        StackName=name,
        ChangeSetName=change_set,
        ChangeSetType="IMPORT",
        TemplateBody=json.dumps(partial),
        Parameters=_parameter_list(parameters),
        ResourcesToImport=[
            {
                "ResourceType": resource.resource_type,
                "LogicalResourceId": resource.logical_id,
                "ResourceIdentifier": resource.identifier,
            }
            for resource in kept
        ],
    )
    failure = _change_set_failure(cloudformation, name, change_set)
    if failure is not None:
        raise StackError(f"stack {name}: import change set failed: {failure}")
    _execute(cloudformation, name, change_set, "stack_import_complete", progress)


def _parameter_list(parameters: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()]


def _change_set_failure(cloudformation: Any, name: str, change_set: str) -> str | None:
    """Wait until the change set is ready; None when it is, else why it failed."""
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(
            StackName=name, ChangeSetName=change_set, WaiterConfig={"Delay": 5, "MaxAttempts": 120}
        )
    except WaiterError:
        described = cloudformation.describe_change_set(StackName=name, ChangeSetName=change_set)
        return str(described.get("StatusReason", ""))
    return None


def _execute(
    cloudformation: Any, name: str, change_set: str, waiter: str, progress: Callable[[str], None]
) -> None:
    """Execute a ready change set and wait until the stack reaches the waiter's state."""
    cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
    try:
        cloudformation.get_waiter(waiter).wait(
            StackName=name, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
        )
    except WaiterError:
        raise StackError(f"stack {name}: {_stack_status(cloudformation, name)}") from None
    progress(f"stack {name}: {_stack_status(cloudformation, name)}")


def remove_aws(
    project: ProjectConfig,
    stage: str,
    clients: ClientFactory,
    delete_data: bool,
    progress: Callable[[str], None],
) -> None:
    """Delete the stage's stack; with `delete_data`, then the tables, user pool and secret it
    retained, found by name, so a later `--delete-data` still finds what an earlier
    teardown kept."""
    cloudformation = clients("cloudformation")
    name = project.stack_name(stage)
    if _stack_status(cloudformation, name) is None:
        progress(f"stack {name}: not there")
    else:
        cloudformation.delete_stack(StackName=name)
        progress(f"stack {name}: deleting")
        cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=name, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
        )
        if not delete_data:
            progress(
                f"stack {name}: deleted; its tables, user pool and secret are kept "
                "(--delete-data removes them)"
            )
    if not delete_data:
        return
    for resource in retained_resources(project, stage, clients):
        delete_resource(resource.resource_type, resource.physical_id, clients)
        progress(f"{resource.logical_id} {resource.physical_id}: deleted")


def _no_changes(reason: str) -> bool:
    return "didn't contain changes" in reason or "No updates are to be performed" in reason


def outputs_of(cloudformation: Any, name: str) -> dict[str, str]:
    """The outputs of the stack `name`."""
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def _stack_status(cloudformation: Any, name: str) -> str | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return str(stacks[0]["StackStatus"]) if stacks else None
