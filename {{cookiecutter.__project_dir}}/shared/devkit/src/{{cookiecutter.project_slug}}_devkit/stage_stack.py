"""A stage's own resources (infra/stage.yaml) as the CloudFormation stack `<prefix>-<stage>`.

Deployed through a change set (stacks.py). A new stack first imports the data an
earlier teardown kept (tables, user pool, secret: DeletionPolicy Retain), so a stage
torn down without --delete-data comes back with its data and users instead of
failing on their names. The local cloud builds the same template resource by
resource instead (stage_resources.py), since neither emulator's CloudFormation holds it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .cfn_template import load_template
from .project_config import ProjectConfig
from .stacks import (
    Polling,
    Progress,
    StackFailed,
    Template,
    delete_stack,
    deploy_stack,
    stack_status,
    wait_for_change_set,
    wait_for_stack,
)
from .stage_resources import (
    TEMPLATE,
    ClientFactory,
    RetainedResource,
    delete_resource,
    retained_resources,
)

CAPABILITIES = ("CAPABILITY_NAMED_IAM",)


def deploy_stage_stack(
    project: ProjectConfig,
    stage: str,
    clients: ClientFactory,
    parameters: dict[str, str],
    progress: Progress,
    polling: Polling = Polling(),  # noqa: B008 (immutable)
) -> dict[str, str]:
    """Create or update the stage's stack; return its outputs."""
    cloudformation = clients("cloudformation")
    name = project.stack_name(stage)
    if stack_status(cloudformation, name) in (None, "REVIEW_IN_PROGRESS"):
        kept = retained_resources(project, stage, clients)
        if kept:
            _import(project, name, cloudformation, kept, parameters, progress, polling)
    deployed = deploy_stack(
        cloudformation,
        name,
        Template(body=(project.root / TEMPLATE).read_text(encoding="utf-8")),
        parameters=parameters,
        capabilities=CAPABILITIES,
        tags={"project": project.prefix, "stage": stage},
        progress=progress,
        polling=polling,
    )
    return deployed.outputs


def _import(
    project: ProjectConfig,
    name: str,
    cloudformation: Any,
    kept: list[RetainedResource],
    parameters: dict[str, str],
    progress: Progress,
    polling: Polling,
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
    change_set = f"import-{uuid.uuid4().hex[:12]}"
    logical_ids = ", ".join(resource.logical_id for resource in kept)
    progress(f"stack {name}: importing what a teardown kept: {logical_ids}")
    cloudformation.create_change_set(
        StackName=name,
        ChangeSetName=change_set,
        ChangeSetType="IMPORT",
        TemplateBody=json.dumps(partial),
        Parameters=[
            {"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()
        ],
        ResourcesToImport=[
            {
                "ResourceType": resource.resource_type,
                "LogicalResourceId": resource.logical_id,
                "ResourceIdentifier": resource.identifier,
            }
            for resource in kept
        ],
    )
    described = wait_for_change_set(cloudformation, name, change_set, polling)
    if described["Status"] == "FAILED":
        raise StackFailed(name, "import change set FAILED", str(described.get("StatusReason")))
    cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
    final, reason = wait_for_stack(cloudformation, name, None, progress, polling)
    if final != "IMPORT_COMPLETE":
        raise StackFailed(name, final, reason)
    progress(f"stack {name}: {final}")


def remove_stage_stack(
    project: ProjectConfig,
    stage: str,
    clients: ClientFactory,
    delete_data: bool,
    progress: Progress,
    polling: Polling = Polling(),  # noqa: B008 (immutable)
) -> None:
    """Delete the stage's stack; with `delete_data`, then the tables, user pool and secret it
    retained, found by name, so a later `--delete-data` still finds what an earlier
    teardown kept."""
    name = project.stack_name(stage)
    deleted = delete_stack(clients("cloudformation"), name, progress=progress, polling=polling)
    if not delete_data:
        if deleted:
            progress(
                f"stack {name}: its tables, user pool and secret are kept "
                "(--delete-data removes them)"
            )
        return
    for resource in retained_resources(project, stage, clients):
        delete_resource(resource.resource_type, resource.physical_id, clients)
        progress(f"{resource.logical_id} {resource.physical_id}: deleted")
