"""The stage's stack on CloudFormation, through change sets: create, no changes, update, delete.

moto's CloudFormation holds no Cognito, alarms or metric filters, so this deploys
the part of infra/stage.yaml it can hold (the alert topic and the log groups), as
a template of its own, through the same code that deploys the whole one to AWS.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.stub import ANY, Stubber

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.cfn_template import load_template
from {{ cookiecutter.project_slug }}_devkit.stacks import Polling, StackFailed
from {{ cookiecutter.project_slug }}_devkit.stage_resources import (
    IMPORT_IDENTIFIERS,
    ClientFactory,
    retained_resources,
)
from {{ cookiecutter.project_slug }}_devkit.stage_stack import deploy_stage_stack, remove_stage_stack

pytestmark = pytest.mark.integration
# moto answers at once: poll without waiting.
NO_WAIT = Polling(interval=0, sleep=lambda seconds: None)
HELD_BY_MOTO = ("AWS::SNS::Topic", "AWS::Logs::LogGroup")


def _project_with(project: ProjectConfig, root: Path, resources: dict[str, Any]) -> ProjectConfig:
    template = load_template(project.root / "infra" / "stage.yaml")
    (root / "infra").mkdir(exist_ok=True)
    (root / "infra" / "stage.yaml").write_text(
        yaml.safe_dump({"Parameters": template["Parameters"], "Resources": resources})
    )
    return ProjectConfig(root, project.slug, project.prefix, project.region, project.stages)


@pytest.mark.slow  # a stack through four change sets: moto's CloudFormation takes seconds
def test_the_stack_is_created_left_alone_updated_and_deleted(
    project: ProjectConfig, aws_clients: ClientFactory, stage_name: str, tmp_path: Path
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

    cloudformation = aws_clients("cloudformation")
    stack = project.stack_name(stage_name)
    messages: list[str] = []

    def resources() -> set[str]:
        summaries = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
        return {summary["LogicalResourceId"] for summary in summaries}

    small = _project_with(project, tmp_path, topics)
    deploy_stage_stack(small, stage_name, aws_clients, parameters, messages.append, NO_WAIT)
    assert messages[-1] == f"stack {stack}: CREATE_COMPLETE"
    assert resources() == set(topics)

    messages.clear()
    deploy_stage_stack(small, stage_name, aws_clients, parameters, messages.append, NO_WAIT)
    # AWS (and LocalStack) make an empty change set that fails; moto refuses it at once.
    assert messages[-1] == f"stack {stack}: no changes"
    assert not [message for message in messages if "updating" in message]

    whole = _project_with(project, tmp_path, held)
    deploy_stage_stack(whole, stage_name, aws_clients, parameters, messages.append, NO_WAIT)
    assert messages[-1] == f"stack {stack}: UPDATE_COMPLETE"
    assert resources() == set(held)
    groups = aws_clients("logs").describe_log_groups(
        logGroupNamePrefix=f"/aws/lambda/{project.prefix}-"
    )["logGroups"]
    assert sum(group["logGroupName"].endswith(stage_name) for group in groups) == len(
        project.services
    )

    remove_stage_stack(whole, stage_name, aws_clients, False, messages.append, NO_WAIT)
    assert f"stack {stack}: deleting" in messages
    remove_stage_stack(whole, stage_name, aws_clients, False, messages.append, NO_WAIT)
    assert messages[-1] == f"stack {stack}: not there"


def test_a_new_stack_first_imports_the_data_a_teardown_kept(
    project: ProjectConfig,
    aws_clients: ClientFactory,
    stage_name: str,
    torn_down_stage: StageResources,
) -> None:
    """On AWS: neither emulator's CloudFormation imports, so CloudFormation is stubbed here
    while the kept table, user pool and secret are real, on the local cloud."""

    cloudformation = aws_clients("cloudformation")

    def factory(service: str) -> Any:
        return cloudformation if service == "cloudformation" else aws_clients(service)

    stack = project.stack_name(stage_name)
    parameters = {"Project": project.prefix, "Stage": stage_name, "AlertEmail": "",
                  "NotifierCodeKey": ""}  # fmt: skip
    sent: dict[str, Any] = {}
    cloudformation.meta.events.register(
        "provide-client-params.cloudformation.CreateChangeSet",
        lambda params, **_: sent.update(params),
    )
    failed = {"Status": "FAILED", "StatusReason": "the role may not import"}
    resources = torn_down_stage
    with Stubber(cloudformation) as stub:
        stub.add_client_error("describe_stacks", "ValidationError",
                              f"Stack with id {stack} does not exist")  # fmt: skip
        stub.add_response("create_change_set", {"Id": "import"}, {
            "StackName": stack, "ChangeSetName": ANY, "ChangeSetType": "IMPORT",
            "TemplateBody": ANY, "Parameters": ANY, "ResourcesToImport": ANY,
        })  # fmt: skip
        stub.add_response("describe_change_set", failed)
        with pytest.raises(StackFailed, match="import change set FAILED: the role may not"):
            deploy_stage_stack(project, stage_name, factory, parameters, lambda line: None, NO_WAIT)
        stub.assert_no_pending_responses()

    template = json.loads(sent["TemplateBody"])
    imported = {item["LogicalResourceId"]: item for item in sent["ResourcesToImport"]}
    # An import may create nothing: the partial template holds the kept resources only.
    assert set(template["Resources"]) == set(imported)
    assert imported["UserPool"]["ResourceIdentifier"] == {
        "UserPoolId": resources.outputs["UserPoolId"]
    }
    assert imported["StageSecret"]["ResourceIdentifier"] == {
        "Id": resources.outputs["StageSecretArn"]
    }
    names = [item["ResourceIdentifier"].get("TableName") for item in imported.values()]
    assert all(project.table_name(stage_name, service) in names for service in project.services)
    policies = {resource["DeletionPolicy"] for resource in template["Resources"].values()}
    assert policies == {"Retain"}


def test_what_a_teardown_keeps_refers_to_parameters_only(project: ProjectConfig) -> None:
    # An import may create nothing else, so a kept resource that refers to another
    # resource (a Lambda trigger on the user pool, say) could never be imported again.
    template = load_template(project.root / "infra" / "stage.yaml")["Resources"]
    kept = {
        logical_id: resource
        for logical_id, resource in template.items()
        if resource.get("DeletionPolicy") == "Retain"
    }
    assert set(kept) >= {"UserPool", "StageSecret"}
    assert all(resource["Type"] in IMPORT_IDENTIFIERS for resource in kept.values())
    serialized = json.dumps([resource.get("Properties", {}) for resource in kept.values()])
    for other in set(template) - set(kept):
        assert f'"{other}"' not in serialized, other


def test_delete_data_after_a_teardown_that_kept_it_removes_it(
    project: ProjectConfig,
    aws_clients: ClientFactory,
    stage_name: str,
    torn_down_stage: StageResources,
) -> None:
    # `teardown`, later `teardown --delete-data`: the stack is gone by then, its data is not.
    messages: list[str] = []
    remove_stage_stack(project, stage_name, aws_clients, True, messages.append, NO_WAIT)
    assert messages[0] == f"stack {project.stack_name(stage_name)}: not there"
    # Each service's table and change log, the user pool, the secret.
    assert len(messages) == 1 + 2 * len(project.services) + 2
    assert retained_resources(project, stage_name, aws_clients) == []
