"""The stage's stack on CloudFormation, through change sets: create, no changes, update, delete.

moto's CloudFormation holds no Cognito, alarms or metric filters, so this deploys
the part of infra/stage.yaml it can hold (the alert topic and the log groups), as
a template of its own, through the same code that deploys the whole one to AWS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.cfn_template import load_template
from {{ cookiecutter.project_slug }}_devkit.stage_stack import deploy_aws, remove_aws

pytestmark = pytest.mark.integration
HELD_BY_MOTO = ("AWS::SNS::Topic", "AWS::Logs::LogGroup")


def _project_with(project: ProjectConfig, root: Path, resources: dict[str, Any]) -> ProjectConfig:
    template = load_template(project.root / "infra" / "stage.yaml")
    (root / "infra").mkdir(exist_ok=True)
    (root / "infra" / "stage.yaml").write_text(
        yaml.safe_dump({"Parameters": template["Parameters"], "Resources": resources})
    )
    return ProjectConfig(root, project.slug, project.prefix, project.region, project.stages)


def test_the_stack_is_created_left_alone_updated_and_deleted(
    project: ProjectConfig, local_cloud: str, stage_name: str, tmp_path: Path
) -> None:
    held = {
        logical_id: resource
        for logical_id, resource in load_template(project.root / "infra" / "stage.yaml")[
            "Resources"
        ].items()
        if resource["Type"] in HELD_BY_MOTO and "Condition" not in resource
    }
    topics = {key: value for key, value in held.items() if value["Type"] == "AWS::SNS::Topic"}
    parameters = {
        "Project": project.prefix,
        "Stage": stage_name,
        "AlertEmail": "",
        "NotifierCodeKey": "",
    }
    cloudformation = boto3.client("cloudformation", region_name=project.region)
    stack = project.stack_name(stage_name)
    messages: list[str] = []

    def resources() -> set[str]:
        summaries = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
        return {summary["LogicalResourceId"] for summary in summaries}

    small = _project_with(project, tmp_path, topics)
    deploy_aws(small, stage_name, cloudformation, parameters, messages.append)
    assert messages[-1] == f"stack {stack}: CREATE_COMPLETE"
    assert resources() == set(topics)

    messages.clear()
    deploy_aws(small, stage_name, cloudformation, parameters, messages.append)
    # AWS (and LocalStack) make an empty change set that fails; moto refuses it at once.
    assert messages[-1] == f"stack {stack}: no changes"
    assert not [message for message in messages if "updating" in message]

    whole = _project_with(project, tmp_path, held)
    deploy_aws(whole, stage_name, cloudformation, parameters, messages.append)
    assert messages[-1] == f"stack {stack}: UPDATE_COMPLETE"
    assert resources() == set(held)
    groups = boto3.client("logs", region_name=project.region).describe_log_groups(
        logGroupNamePrefix=f"/aws/lambda/{project.prefix}-"
    )["logGroups"]
    assert sum(group["logGroupName"].endswith(stage_name) for group in groups) == len(
        project.services
    )

    remove_aws(whole, stage_name, lambda service: boto3.client(service, region_name=project.region),
               False, messages.append)  # fmt: skip
    assert f"stack {stack}: deleting" in messages
    remove_aws(whole, stage_name, lambda service: boto3.client(service, region_name=project.region),
               False, messages.append)  # fmt: skip
    assert messages[-1] == f"stack {stack}: not there"
