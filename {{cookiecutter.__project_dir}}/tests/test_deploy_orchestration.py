"""Deploy and teardown orchestration against AWS's API models (botocore's Stubber): change sets,
waiting with events, nothing-changed runs, CodeDeploy progress, rollbacks and their exit
codes, and which stacks a teardown touches. The artifacts, secrets and retained-data
lookups run on the local cloud; only CloudFormation and CodeDeploy, which no emulator
here serves for SAM, are stubbed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.deployment import deploy_stage, teardown_stage
from {{ cookiecutter.project_slug }}_devkit.project_config import StageConfig
from {{ cookiecutter.project_slug }}_devkit.pytest_plugin import stage_secret
from {{ cookiecutter.project_slug }}_devkit.release_watch import ReleaseWatch
from {{ cookiecutter.project_slug }}_devkit.stacks import (
    Polling,
    StackFailed,
    Template,
    deploy_stack,
)

from devtasks import deployment

NO_WAIT = Polling(interval=0, sleep=lambda seconds: None)
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1"
CHANGE_SET_ID = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/c/1"


def event(number: int, logical_id: str, status: str, reason: str = "") -> dict[str, Any]:
    found = {
        "StackId": STACK_ID,
        "EventId": f"event-{number}",
        "StackName": "s",
        "LogicalResourceId": logical_id,
        "ResourceStatus": status,
        "Timestamp": NOW,
    }
    if reason:
        found["ResourceStatusReason"] = reason
    return found


def stack(name: str, status: str, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    described = {"StackName": name, "StackStatus": status, "CreationTime": NOW}
    if outputs is not None:
        described["Outputs"] = [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]
    return {"Stacks": [described]}


def missing(stub: Stubber, name: str) -> None:
    stub.add_client_error(
        "describe_stacks", "ValidationError", f"Stack with id {name} does not exist"
    )


def change_set(status: str, reason: str = "", changes: int = 1) -> dict[str, Any]:
    described: dict[str, Any] = {"Status": status, "ChangeSetId": CHANGE_SET_ID}
    if reason:
        described["StatusReason"] = reason
    described["Changes"] = [
        {"Type": "Resource", "ResourceChange": {
            "Action": "Add", "LogicalResourceId": f"Thing{index}",
            "ResourceType": "AWS::SNS::Topic",
        }}
        for index in range(changes)
    ]  # fmt: skip
    return described


def expect_create(
    stub: Stubber, name: str, outputs: dict[str, str], template: dict[str, Any] | None = None
) -> None:
    """The conversation of a new stack made through a change set, in order."""
    missing(stub, name)
    stub.add_response(
        "create_change_set",
        {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
        template or {"StackName": name, "ChangeSetName": ANY, "ChangeSetType": "CREATE",
                     "Parameters": ANY, "Capabilities": ANY, "Tags": ANY, "TemplateBody": ANY},
    )  # fmt: skip
    stub.add_response("describe_change_set", change_set("CREATE_PENDING", changes=0))
    stub.add_response("describe_change_set", change_set("CREATE_COMPLETE"))
    stub.add_response("describe_stacks", stack(name, "REVIEW_IN_PROGRESS"))
    stub.add_response(
        "describe_stack_events", {"StackEvents": [event(0, name, "REVIEW_IN_PROGRESS")]}
    )
    stub.add_response("execute_change_set", {})
    stub.add_response("describe_stacks", stack(name, "CREATE_IN_PROGRESS"))
    stub.add_response("describe_stack_events", {"StackEvents": [
        event(1, "Thing0", "CREATE_IN_PROGRESS"), event(0, name, "REVIEW_IN_PROGRESS"),
    ]})  # fmt: skip


def expect_created(stub: Stubber, name: str, outputs: dict[str, str]) -> None:
    """The end of a creation: complete, then its outputs."""
    stub.add_response("describe_stacks", stack(name, "CREATE_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": [
        event(2, name, "CREATE_COMPLETE"), event(1, "Thing0", "CREATE_IN_PROGRESS"),
    ]})  # fmt: skip
    stub.add_response("describe_stacks", stack(name, "CREATE_COMPLETE", outputs))


@pytest.fixture
def cloudformation() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_a_new_stack_is_made_through_a_change_set_showing_its_changes_and_events(
    cloudformation: tuple[Any, Stubber],
) -> None:
    client, stub = cloudformation
    expect_create(stub, "s", {"Url": "u"})
    expect_created(stub, "s", {"Url": "u"})
    lines: list[str] = []
    deployed = deploy_stack(
        client, "s", Template(body="{}"), progress=lines.append, polling=NO_WAIT
    )
    assert deployed.changed
    assert deployed.outputs == {"Url": "u"}
    assert "  Add     Thing0 (AWS::SNS::Topic)" in lines
    assert [line.split()[:2] for line in lines if line.startswith("  Thing0")] == [
        ["Thing0", "CREATE_IN_PROGRESS"]
    ]
    assert lines[-1] == "stack s: CREATE_COMPLETE"


def test_nothing_changed_executes_no_change_set(cloudformation: tuple[Any, Stubber]) -> None:
    client, stub = cloudformation
    stub.add_response("describe_stacks", stack("s", "UPDATE_COMPLETE"))
    stub.add_response("create_change_set", {"Id": CHANGE_SET_ID}, {
        "StackName": "s", "ChangeSetName": ANY, "ChangeSetType": "UPDATE", "Parameters": [],
        "Capabilities": [], "Tags": [], "TemplateURL": "https://bucket/t.json",
    })  # fmt: skip
    stub.add_response(
        "describe_change_set",
        change_set("FAILED", "The submitted information didn't contain changes.", changes=0),
    )
    stub.add_response("delete_change_set", {})
    stub.add_response("describe_stacks", stack("s", "UPDATE_COMPLETE", {"Url": "u"}))
    lines: list[str] = []
    # No execute_change_set is stubbed: calling it would fail the test.
    deployed = deploy_stack(
        client, "s", Template(url="https://bucket/t.json"), progress=lines.append, polling=NO_WAIT
    )
    assert not deployed.changed
    assert lines == ["stack s: no changes"]


def test_a_rolled_back_release_names_cloudformations_first_reason(
    cloudformation: tuple[Any, Stubber],
) -> None:
    client, stub = cloudformation
    stub.add_response("describe_stacks", stack("s", "UPDATE_COMPLETE"))
    stub.add_response("create_change_set", {"Id": CHANGE_SET_ID})
    stub.add_response("describe_change_set", change_set("CREATE_COMPLETE"))
    stub.add_response("describe_stacks", stack("s", "UPDATE_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": [event(0, "s", "UPDATE_COMPLETE")]})
    stub.add_response("execute_change_set", {})
    alarm = "CodeDeploy deployment d-1 was stopped: alarm acme-prod-errors went into ALARM"
    stub.add_response("describe_stacks", stack("s", "UPDATE_ROLLBACK_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": [
        event(4, "s", "UPDATE_ROLLBACK_COMPLETE"),
        event(3, "APIHandlerAliaslive", "UPDATE_FAILED", alarm),
        event(2, "OnRecordChangeAliaslive", "UPDATE_FAILED", "Resource update cancelled"),
        event(1, "APIHandlerAliaslive", "UPDATE_IN_PROGRESS"),
        event(0, "s", "UPDATE_COMPLETE"),
    ]})  # fmt: skip
    with pytest.raises(StackFailed) as failed:
        deploy_stack(client, "s", Template(body="{}"), progress=lambda line: None, polling=NO_WAIT)
    assert failed.value.rolled_back
    assert failed.value.reason == alarm
    assert str(failed.value) == f"stack s: UPDATE_ROLLBACK_COMPLETE: {alarm}"


def test_a_bad_template_fails_at_the_change_set_and_leaves_no_stack(
    cloudformation: tuple[Any, Stubber],
) -> None:
    client, stub = cloudformation
    missing(stub, "s")
    stub.add_response("create_change_set", {"Id": CHANGE_SET_ID})
    reason = "Template format error: Unresolved resource dependencies [Nope]"
    stub.add_response("describe_change_set", change_set("FAILED", reason, changes=0))
    stub.add_response("delete_change_set", {})
    stub.add_response("delete_stack", {}, {"StackName": "s"})
    with pytest.raises(StackFailed, match="change set FAILED: Template format error") as failed:
        deploy_stack(client, "s", Template(body="{}"), progress=lambda line: None, polling=NO_WAIT)
    assert not failed.value.rolled_back


def test_the_canary_is_reported_from_codedeploy_while_the_stack_waits() -> None:
    cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
    codedeploy = boto3.client("codedeploy", region_name="eu-west-1")
    lines: list[str] = []
    watch = ReleaseWatch(codedeploy, cloudformation, "s", lines.append, NOW)
    with Stubber(cloudformation) as cfn, Stubber(codedeploy) as deploys:
        cfn.add_client_error("describe_stack_resource", "ValidationError", "not yet")
        cfn.add_response("describe_stack_resource", {"StackResourceDetail": {
            "LogicalResourceId": "ServerlessDeploymentApplication", "ResourceType": "x",
            "PhysicalResourceId": "app-1", "LastUpdatedTimestamp": NOW,
            "ResourceStatus": "CREATE_COMPLETE",
        }})  # fmt: skip
        listing = {"applicationName": "app-1", "createTimeRange": {"start": NOW}}
        for status in ("InProgress", "InProgress", "Stopped"):
            deploys.add_response("list_deployments", {"deployments": ["d-1"]}, listing)
            info: dict[str, Any] = {"deploymentId": "d-1", "status": status,
                                    "deploymentGroupName": "APIHandlerDeploymentGroup"}  # fmt: skip
            if status == "Stopped":
                info["errorInformation"] = {"message": "alarm went into ALARM"}
            deploys.add_response(
                "get_deployment", {"deploymentInfo": info}, {"deploymentId": "d-1"}
            )
        for _ in range(4):  # the first poll finds no application yet
            watch()
    assert lines == [
        "  CodeDeploy d-1 (APIHandlerDeploymentGroup): InProgress",
        "  CodeDeploy d-1 (APIHandlerDeploymentGroup): Stopped: alarm went into ALARM",
    ]


@pytest.fixture
def stage(project: ProjectConfig) -> StageConfig:
    """The first stage, released as a canary. Chalice packages only the stages its config
    names; every resource the tests make for it is removed, and stacks are stubbed."""
    first = next(iter(project.stages.values()))
    return dataclasses.replace(first, deployment="canary", canary_percent=10, canary_minutes=5)


@pytest.mark.integration
@pytest.mark.packaging
def test_deploy_makes_the_stage_stack_then_each_service_stack_from_uploaded_artifacts(
    project: ProjectConfig, stage: StageConfig, aws_clients: Any, tmp_path: Any
) -> None:
    cloudformation = boto3.client("cloudformation", region_name=project.region)
    codedeploy = boto3.client("codedeploy", region_name=project.region)
    secrets = aws_clients("secretsmanager")
    secret = f"{project.prefix}/{stage.name}"
    holder = contextlib.ExitStack()
    # pragma: allowlist nextline secret (a made-up value the test checks never leaks)
    holder.enter_context(stage_secret(secrets, secret, {"API_KEY": "value-never-shown"}))

    def clients(service: str) -> Any:
        return {"cloudformation": cloudformation, "codedeploy": codedeploy}.get(
            service
        ) or aws_clients(service)

    stage_stack = project.stack_name(stage.name)
    sent: list[dict[str, Any]] = []
    cloudformation.meta.events.register(
        "provide-client-params.cloudformation.CreateChangeSet",
        lambda params, **_: sent.append(dict(params)),
    )
    lines: list[str] = []
    try:
        with Stubber(cloudformation) as cfn, Stubber(codedeploy) as deploys:
            # The stage stack exists and has not changed.
            cfn.add_response("describe_stacks", stack(stage_stack, "UPDATE_COMPLETE"))
            cfn.add_response("describe_stacks", stack(stage_stack, "UPDATE_COMPLETE"))
            cfn.add_response("create_change_set", {"Id": CHANGE_SET_ID})
            unchanged = change_set("FAILED", "The submitted information didn't contain changes.", 0)
            cfn.add_response("describe_change_set", unchanged)
            cfn.add_response("delete_change_set", {})
            cfn.add_response("describe_stacks", stack(stage_stack, "UPDATE_COMPLETE", {}))
            for service in project.services:
                name = project.service_stack_name(stage.name, service)
                expect_create(cfn, name, {}, {
                    "StackName": name, "ChangeSetName": ANY, "ChangeSetType": "CREATE",
                    "Parameters": [], "TemplateURL": ANY, "Tags": ANY,
                    "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
                })  # fmt: skip
                # The release watch, at the one poll while the stack creates.
                cfn.add_client_error("describe_stack_resource", "ValidationError", "not yet")
                expect_created(cfn, name, {"EndpointURL": f"https://{service}.example/api/"})
            urls = deploy_stage(
                project, stage, project.services, clients, tmp_path, lines.append, NO_WAIT,
                lambda: NOW,
            )  # fmt: skip
            deploys.assert_no_pending_responses()
    finally:
        holder.close()
    assert urls == {service: f"https://{service}.example/api/" for service in project.services}
    s3 = aws_clients("s3")
    account = aws_clients("sts").get_caller_identity()["Account"]
    bucket = f"{project.prefix}-artifacts-{account}-{stage.region}"
    for service, params in zip(project.services, sent[1:], strict=True):
        key = params["TemplateURL"].split(".amazonaws.com/", 1)[1]
        template = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        handler = template["Resources"]["APIHandler"]["Properties"]
        code = handler["CodeUri"].removeprefix(f"s3://{bucket}/")
        assert code.startswith(f"{service}/")
        assert code.endswith("/deployment.zip")
        s3.head_object(Bucket=bucket, Key=code)
        variables = template["Globals"]["Function"]["Environment"]["Variables"]
        assert "value-never-shown" not in json.dumps(template)
        assert "API_KEY" in json.dumps(handler) or "API_KEY" in json.dumps(variables)
    assert not [line for line in lines if "value-never-shown" in line]
    assert f"== {project.services[-1]}: stack {name}" in lines


def test_teardown_deletes_this_stages_service_stacks_then_its_stack(
    project: ProjectConfig, stage: StageConfig, cloudformation: tuple[Any, Stubber],
    aws_clients: Any,
) -> None:  # fmt: skip
    client, stub = cloudformation
    deleted: list[str] = []
    names = [project.service_stack_name(stage.name, s) for s in project.services]
    for name in [*names, project.stack_name(stage.name)]:
        stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
        stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
        stub.add_response(
            "describe_stack_events", {"StackEvents": [event(0, name, "UPDATE_COMPLETE")]}
        )
        stub.add_response("delete_stack", {}, {"StackName": name})
        missing(stub, name)
    client.meta.events.register(
        "provide-client-params.cloudformation.DeleteStack",
        lambda params, **_: deleted.append(params["StackName"]),
    )

    def clients(service: str) -> Any:
        return client if service == "cloudformation" else aws_clients(service)

    teardown_stage(project, stage, project.services, clients, False, lambda line: None, NO_WAIT)
    # Service stacks first (they import the stage stack's exports), then the stage's own.
    assert deleted == [*names, project.stack_name(stage.name)]
    assert all(f"-{stage.name}" in name for name in deleted)


def test_teardown_of_one_service_leaves_the_stage_stack(
    project: ProjectConfig, stage: StageConfig, cloudformation: tuple[Any, Stubber]
) -> None:
    if len(project.services) < 2:
        pytest.skip("with one service, tearing it down is tearing the stage down")
    client, stub = cloudformation
    name = project.service_stack_name(stage.name, project.services[0])
    missing(stub, name)
    lines: list[str] = []
    teardown_stage(project, stage, project.services[:1], lambda service: client, False,
                   lines.append, NO_WAIT)  # fmt: skip
    assert lines == [f"== {project.services[0]}", f"stack {name}: not there"]


def test_deploy_refuses_the_local_cloud_before_any_call(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    stage = next(iter(invoke_config.stages))
    for task in (deployment.deploy, deployment.teardown):
        with pytest.raises(Exit, match="deploy and teardown go to AWS only") as refused:
            task(MockContext(config=invoke_config), stage=stage)
        assert refused.value.code == 1


def test_a_rollback_exits_3_and_a_failure_1_each_with_one_line() -> None:
    rolled = deployment._failure("deploy", StackFailed("s", "UPDATE_ROLLBACK_COMPLETE", "alarm"))
    failed = deployment._failure("deploy", StackFailed("s", "CREATE_FAILED", "no permission"))
    assert (rolled.code, rolled.message) == (
        3, "deploy rolled back: stack s: UPDATE_ROLLBACK_COMPLETE: alarm"
    )  # fmt: skip
    assert (failed.code, failed.message) == (
        1,
        "deploy failed: stack s: CREATE_FAILED: no permission",
    )
    assert "\n" not in str(rolled.message) + str(failed.message)
