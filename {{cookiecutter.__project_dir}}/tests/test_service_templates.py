"""Each service's stack, proven offline: Chalice's SAM template, transformed by AWS's own SAM
translator into the CloudFormation AWS would deploy, and linted with cfn-lint.

No emulator deploys SAM with CodeDeploy, so these assertions on the transformed templates
are what stands for a deploy (as AWS CDK projects assert on synthesized templates). Each
test names the property it protects.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.cfn_template import failure_queue_output_key, load_template
from {{ cookiecutter.project_slug }}_devkit.deployment import secret_reference
from {{ cookiecutter.project_slug }}_devkit.project_config import StageConfig
from {{ cookiecutter.project_slug }}_devkit.pytest_plugin import stage_secret
from {{ cookiecutter.project_slug }}_devkit.sam_template import (
    STREAM_FAILURE_HANDLING,
    log_group_name,
    with_code_uri,
)
from {{ cookiecutter.project_slug }}_devkit.sam_translation import cfn_lint, sam_transform
from {{ cookiecutter.project_slug }}_devkit.service_package import (
    PackagingError,
    ServicePackage,
    package_service,
)

pytestmark = pytest.mark.packaging
ALIAS_ARN = re.compile(r"\$\{(\w+)AliasArn\}")


@dataclasses.dataclass(frozen=True)
class Packaged:
    """A service packaged for a stage: its SAM template and what SAM makes of it."""

    stage: StageConfig
    package: ServicePackage
    sam: dict[str, Any]
    cloudformation: dict[str, Any]

    def resources(self, kind: str) -> dict[str, Any]:
        return {
            logical_id: resource
            for logical_id, resource in self.cloudformation["Resources"].items()
            if resource["Type"] == kind
        }


def released(stage: StageConfig, **changes: Any) -> StageConfig:
    return dataclasses.replace(stage, **changes)


@pytest.fixture(scope="module")
def stages(project: ProjectConfig) -> dict[str, StageConfig]:
    """The first stage of invoke.yaml (all at once) and a canary stage (its own, if any)."""
    first = next(iter(project.stages.values()))
    canaries = [stage for stage in project.stages.values() if stage.deployment == "canary"]
    canary = canaries[0] if canaries else released(first, deployment="canary", name="canary")
    return {"all-at-once": released(first, deployment="all-at-once"), "canary": canary}


@pytest.fixture(scope="module")
def secret_value() -> str:
    """A value of the stage's secret, unique per run so a leak cannot be a coincidence."""
    return f"secret-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def packaged(
    tmp_path_factory: pytest.TempPathFactory,
    project: ProjectConfig,
    stages: dict[str, StageConfig],
    local_cloud: str,
    secret_value: str,
) -> dict[tuple[str, str], Packaged]:
    """Every service packaged for the first stage, and the first service for the canary
    stage (with SnapStart, where the runtime has it); each template transformed by SAM."""
    out = tmp_path_factory.mktemp("build")
    secrets = boto3.client("secretsmanager", region_name=project.region)
    snapstart = tuple(map(int, project.python.split("."))) >= (3, 12)
    plan = [("all-at-once", service) for service in project.services]
    plan.append(("canary", project.services[0]))
    result = {}
    for policy, service in plan:
        stage = stages[policy]
        if policy == "canary":
            stage = released(stage, snapstart=snapstart)
        name = f"{project.prefix}/{stage.name}"
        with stage_secret(secrets, name, {"PROBE_TOKEN": secret_value}):
            reference = secret_reference(secrets, project, stage.name, lambda line: None)
        package = package_service(project, stage, service, out, reference, lambda line: None)
        sam = with_code_uri(package.template(), f"s3://artifacts/{service}/deployment.zip")
        result[(policy, service)] = Packaged(stage, package, sam, sam_transform(sam, stage.region))
    return result


def test_every_template_passes_cfn_lint(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig, tmp_path: Path
) -> None:
    paths = [project.root / "infra" / "stage.yaml"]
    for (policy, service), item in packaged.items():
        for kind, template in (("sam", item.sam), ("cloudformation", item.cloudformation)):
            path = tmp_path / f"{policy}-{service}-{kind}.json"
            path.write_text(json.dumps(template))
            paths.append(path)
    assert cfn_lint(paths) == ""


def test_every_api_integration_and_authorizer_targets_the_live_alias(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    for item in packaged.values():
        (api,) = item.resources("AWS::ApiGateway::RestApi").values()
        uris = re.findall(r'"(?:uri|authorizerUri)": (\{.*?\}\]?\})', json.dumps(api))
        assert uris
        for uri in uris:
            assert "Aliaslive" in uri, uri
            assert ".Arn}" not in uri, uri


def test_the_api_may_invoke_the_alias_only(packaged: dict[tuple[str, str], Packaged]) -> None:
    for item in packaged.values():
        permissions = item.resources("AWS::Lambda::Permission")
        api = [p for p in permissions.values() if p["Properties"]["Principal"].startswith("api")]
        assert api
        for permission in api:
            assert permission["Properties"]["FunctionName"]["Ref"].endswith("Aliaslive")


def test_every_event_source_mapping_targets_the_alias(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    for item in packaged.values():
        mappings = item.resources("AWS::Lambda::EventSourceMapping")
        assert mappings  # each service consumes its table's stream
        for mapping in mappings.values():
            assert mapping["Properties"]["FunctionName"]["Ref"].endswith("Aliaslive")


def test_the_stream_mapping_imports_the_table_stream_of_the_stage_stack(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    for (_, service), item in packaged.items():
        (mapping,) = item.resources("AWS::Lambda::EventSourceMapping").values()
        camel = "".join(part.capitalize() for part in service.split("_"))
        assert mapping["Properties"]["EventSourceArn"] == {
            "Fn::ImportValue": f"{project.stack_name(item.stage.name)}-{camel}TableStreamArn"
        }


def _stream_mappings(packaged: dict[tuple[str, str], Packaged]) -> list[dict[str, Any]]:
    """The properties of every DynamoDB stream event source mapping, after SAM's transform."""
    found = [
        mapping["Properties"]
        for item in packaged.values()
        for mapping in item.resources("AWS::Lambda::EventSourceMapping").values()
        # Stream sources (DynamoDB, Kinesis) have a starting position; queues have none.
        if "StartingPosition" in mapping["Properties"]
    ]
    assert len(found) == len(packaged)  # one per packaged service
    return found


def test_stream_handlers_report_failed_records_to_lambda(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    # FunctionResponseTypes: without it Lambda ignores the handler's batchItemFailures
    # and retries (or drops) whole batches.
    for properties in _stream_mappings(packaged):
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_a_failing_stream_batch_is_bisected_down_to_the_bad_record(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    # BisectBatchOnFunctionError: a handler that raises has its batch split in two until
    # the record that fails is alone, so the records beside it get through.
    for properties in _stream_mappings(packaged):
        assert properties["BisectBatchOnFunctionError"] is True


def test_a_poison_stream_record_cannot_hold_its_shard_up_for_a_day(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    # MaximumRetryAttempts and MaximumRecordAgeInSeconds: Lambda's defaults (-1) retry a
    # record until it expires from the stream, 24 hours, blocking its shard meanwhile.
    for properties in _stream_mappings(packaged):
        retries = properties["MaximumRetryAttempts"]
        age = properties["MaximumRecordAgeInSeconds"]
        assert (retries, age) == (
            STREAM_FAILURE_HANDLING["MaximumRetryAttempts"],
            STREAM_FAILURE_HANDLING["MaximumRecordAgeInSeconds"],
        )
        assert 0 <= retries <= 10_000  # Lambda's bounds; -1 (forever) is what this avoids
        assert 60 <= age < 86_400  # Lambda's lower bound; below the stream's retention


def test_what_a_stream_mapping_gives_up_on_goes_to_the_stage_stacks_failure_queue(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    # DestinationConfig.OnFailure: after the retries or the maximum age, Lambda sends the
    # batch's shard and sequence numbers there, rather than only dropping the records.
    for (_, service), item in packaged.items():
        (mapping,) = [
            m["Properties"]
            for m in item.resources("AWS::Lambda::EventSourceMapping").values()
            if "StartingPosition" in m["Properties"]
        ]
        export = f"{project.stack_name(item.stage.name)}-{failure_queue_output_key(service)}"
        assert mapping["DestinationConfig"] == {
            "OnFailure": {"Destination": {"Fn::ImportValue": export}}
        }


def test_the_stream_handlers_role_may_send_to_its_failure_queue_only(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    # Lambda sends to the destination with the function's role. SAM grants that only to
    # roles it makes; Chalice brings its own, from the service's policy file.
    for (_, service), item in packaged.items():
        queue = f"{project.prefix}-{item.stage.name}-{service}-stream-failures"
        (handler,) = [
            function["Properties"]
            for logical_id, function in item.resources("AWS::Lambda::Function").items()
            if logical_id == "OnRecordChange"
        ]
        role = item.cloudformation["Resources"][handler["Role"]["Fn::GetAtt"][0]]
        statements = [
            statement
            for policy in role["Properties"]["Policies"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        sending = [s for s in statements if "sqs:SendMessage" in s["Action"]]
        assert [s["Resource"] for s in sending] == [f"arn:aws:sqs:{item.stage.region}:*:{queue}"]
        assert all(s["Action"] == ["sqs:SendMessage"] for s in sending)


def test_the_stage_stack_has_each_services_failure_queue_and_change_log(
    project: ProjectConfig,
) -> None:
    template = load_template(project.root / "infra" / "stage.yaml")
    resources, outputs = template["Resources"], template["Outputs"]
    for service in project.services:
        camel = "".join(part.capitalize() for part in service.split("_"))
        queue = resources[f"{camel}StreamFailureQueue"]
        assert queue["Type"] == "AWS::SQS::Queue"
        assert queue["Properties"]["QueueName"] == {
            "Fn::Sub": "${Project}-${Stage}-" + service + "-stream-failures"
        }
        # Lambda's destination gets batch info only; 14 days to look at it.
        assert queue["Properties"]["MessageRetentionPeriod"] == 1_209_600
        arn = outputs[failure_queue_output_key(service)]
        assert arn["Value"] == {"Fn::GetAtt": [f"{camel}StreamFailureQueue", "Arn"]}
        assert "Export" in arn
        log = resources[f"{camel}ChangeLogTable"]["Properties"]
        assert log["TableName"] == {"Fn::Sub": "${Project}-${Stage}-" + service + "-changes"}
        assert log["KeySchema"] == [
            {"AttributeName": "id", "KeyType": "HASH"},
            {"AttributeName": "sequence", "KeyType": "RANGE"},
        ]
        # No stream on the log: nothing consumes it, and it must not feed itself.
        assert "StreamSpecification" not in log


def test_the_imports_are_exports_of_the_stage_stack(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    stage_template = load_template(project.root / "infra" / "stage.yaml")
    exported = {
        output["Export"]["Name"]["Fn::Sub"].replace("${AWS::StackName}-", "")
        for output in stage_template["Outputs"].values()
        if "Export" in output
    }
    for item in packaged.values():
        stack = project.stack_name(item.stage.name)
        imports = re.findall(r'"Fn::ImportValue": "([^"]+)"', json.dumps(item.cloudformation))
        assert imports
        for name in imports:
            assert name.startswith(f"{stack}-")
            assert name.removeprefix(f"{stack}-") in exported, name


def test_every_function_is_released_through_codedeploy_behind_the_alias(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    for item in packaged.values():
        functions = item.resources("AWS::Lambda::Function")
        aliases = item.resources("AWS::Lambda::Alias")
        groups = item.resources("AWS::CodeDeploy::DeploymentGroup")
        assert len(aliases) == len(groups) == len(functions) >= 2
        for alias in aliases.values():
            assert alias["Properties"]["Name"] == "live"
            assert "CodeDeployLambdaAliasUpdate" in alias["UpdatePolicy"]


def test_a_canary_stage_rolls_back_on_its_error_alarm(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    for (policy, _), item in packaged.items():
        if policy != "canary":
            continue
        (config,) = item.resources("AWS::CodeDeploy::DeploymentConfig").values()
        canary = config["Properties"]["TrafficRoutingConfig"]["TimeBasedCanary"]
        assert canary == {
            "CanaryPercentage": item.stage.canary_percent,
            "CanaryInterval": round(item.stage.canary_minutes),
        }
        alarm = {"Fn::ImportValue": f"{project.stack_name(item.stage.name)}-ErrorAlarmName"}
        for group in item.resources("AWS::CodeDeploy::DeploymentGroup").values():
            properties = group["Properties"]
            assert properties["DeploymentConfigName"] == {"Ref": "CanaryDeploymentConfig"}
            assert properties["AlarmConfiguration"] == {
                "Enabled": True,
                "Alarms": [{"Name": alarm}],
            }
            rollback = properties["AutoRollbackConfiguration"]
            assert rollback["Enabled"] is True
            assert "DEPLOYMENT_STOP_ON_ALARM" in rollback["Events"]


def test_an_all_at_once_stage_shifts_every_version_at_once(
    packaged: dict[tuple[str, str], Packaged],
) -> None:
    for (policy, _), item in packaged.items():
        if policy != "all-at-once":
            continue
        assert not item.resources("AWS::CodeDeploy::DeploymentConfig")
        for group in item.resources("AWS::CodeDeploy::DeploymentGroup").values():
            # SAM writes CodeDeployDefault.LambdaAllAtOnce as a Sub of its own.
            name = group["Properties"]["DeploymentConfigName"]
            assert name == {
                "Fn::Sub": ["CodeDeployDefault.Lambda${ConfigName}", {"ConfigName": "AllAtOnce"}]
            }


def test_every_function_logs_where_the_stage_stack_counts_errors(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    stage_template = load_template(project.root / "infra" / "stage.yaml")["Resources"]
    filtered = {
        resource["Properties"]["LogGroupName"]["Ref"]
        for resource in stage_template.values()
        if resource["Type"] == "AWS::Logs::MetricFilter"
    }
    for (_, service), item in packaged.items():
        camel = "".join(part.capitalize() for part in service.split("_"))
        assert f"{camel}LogGroup" in filtered
        group = stage_template[f"{camel}LogGroup"]["Properties"]["LogGroupName"]["Fn::Sub"]
        expected = log_group_name(project.prefix, service, item.stage.name)
        assert (
            group.replace("${Project}", project.prefix).replace("${Stage}", item.stage.name)
            == expected
        )
        for function in item.resources("AWS::Lambda::Function").values():
            assert function["Properties"]["LoggingConfig"] == {"LogGroup": expected}


def test_secrets_are_dynamic_references_never_values(
    packaged: dict[tuple[str, str], Packaged], secret_value: str, project: ProjectConfig
) -> None:
    for item in packaged.values():
        text = json.dumps(item.sam)
        assert secret_value not in text
        references = set(re.findall(r"\{\{resolve:secretsmanager:[^}]*\}\}", text))
        assert len(references) == 1
        (reference,) = references
        secret = f"{project.prefix}/{item.stage.name}"
        assert f"resolve:secretsmanager:{secret}:SecretString:PROBE_TOKEN::" in reference
        for function in item.resources("AWS::Lambda::Function").values():
            assert function["Properties"]["Environment"]["Variables"]["PROBE_TOKEN"] == reference
        with zipfile.ZipFile(item.package.archive) as archive:
            for name in archive.namelist():
                assert secret_value.encode() not in archive.read(name), name


def test_snapstart_is_set_on_published_versions_where_a_stage_asks(
    packaged: dict[tuple[str, str], Packaged], project: ProjectConfig
) -> None:
    if tuple(map(int, project.python.split("."))) < (3, 12):
        pytest.skip("SnapStart needs Python 3.12 or later; this project runs an older one")
    for (policy, _), item in packaged.items():
        wanted = {"ApplyOn": "PublishedVersions"} if policy == "canary" else None
        for function in item.resources("AWS::Lambda::Function").values():
            assert function["Properties"].get("SnapStart") == wanted


EVERY_EVENT_KIND = """

from chalice import AuthResponse, CognitoUserPoolAuthorizer  # noqa: E402
from chalice.app import AuthRequest, CloudWatchEvent, SNSEvent, SQSEvent  # noqa: E402

pool = CognitoUserPoolAuthorizer(
    "pool", provider_arns=["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_x"]
)


@app.authorizer()
def custom_auth(request: AuthRequest) -> AuthResponse:
    return AuthResponse(routes=["*"], principal_id="someone")


@app.route("/custom", authorizer=custom_auth)
def custom_route() -> dict[str, str]:
    return {}


@app.route("/cognito", authorizer=pool)
def cognito_route() -> dict[str, str]:
    return {}


@app.schedule("rate(5 minutes)")
def every_five_minutes(event: CloudWatchEvent) -> None:
    return None


@app.on_sqs_message(queue="kinds-queue")
def on_queue(event: SQSEvent) -> None:
    return None


@app.on_sns_message(topic="kinds-topic")
def on_topic(event: SNSEvent) -> None:
    return None
"""

S3_HANDLER = """

from chalice.app import S3Event  # noqa: E402


@app.on_s3_event(bucket="kinds-bucket")
def on_upload(event: S3Event) -> None:
    return None
"""


@pytest.fixture
def copied_project(project: ProjectConfig, tmp_path: Path) -> ProjectConfig:
    """A project of one service copied from the first, sharing the real shared packages."""
    root = tmp_path / "project"
    (root / "services").mkdir(parents=True)
    shutil.copytree(
        project.root / "services" / project.services[0],
        root / "services" / "kinds",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    os.symlink(project.root / "shared", root / "shared")
    # Packaging imports the app here, where its dependencies are installed; bundling
    # them would only cost time.
    (root / "services" / "kinds" / "requirements.txt").write_text("")
    return dataclasses.replace(project, root=root)


def test_every_chalice_event_kind_reaches_the_template_bound_to_the_alias(
    copied_project: ProjectConfig, stages: dict[str, StageConfig], tmp_path: Path, local_cloud: str
) -> None:
    app = copied_project.root / "services" / "kinds" / "app.py"
    app.write_text(app.read_text() + EVERY_EVENT_KIND)
    stage = stages["canary"]
    package = package_service(copied_project, stage, "kinds", tmp_path / "out", None, print)
    resources = sam_transform(with_code_uri(package.template(), "s3://a/b.zip"), stage.region)[
        "Resources"
    ]
    functions = {
        logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::Lambda::Function"
    }
    assert {"CustomAuth", "EveryFiveMinutes", "OnQueue", "OnTopic", "OnRecordChange"} <= functions

    def by_type(kind: str) -> list[dict[str, Any]]:
        return [r["Properties"] for r in resources.values() if r["Type"] == kind]

    rule_targets = [
        target["Arn"] for rule in by_type("AWS::Events::Rule") for target in rule["Targets"]
    ]
    assert rule_targets == [{"Ref": "EveryFiveMinutesAliaslive"}]
    mapped = {json.dumps(m["FunctionName"]) for m in by_type("AWS::Lambda::EventSourceMapping")}
    assert mapped == {'{"Ref": "OnQueueAliaslive"}', '{"Ref": "OnRecordChangeAliaslive"}'}
    (subscription,) = by_type("AWS::SNS::Subscription")
    assert subscription["Endpoint"] == {"Ref": "OnTopicAliaslive"}
    invoked = {p["FunctionName"]["Ref"] for p in by_type("AWS::Lambda::Permission")}
    assert invoked == {
        "APIHandlerAliaslive", "CustomAuthAliaslive", "EveryFiveMinutesAliaslive",
        "OnTopicAliaslive",
    }  # fmt: skip
    (api,) = by_type("AWS::ApiGateway::RestApi")
    security = api["Body"]["securityDefinitions"]
    custom_uri = json.dumps(security["custom_auth"]["x-amazon-apigateway-authorizer"])
    assert "CustomAuthAliaslive" in custom_uri
    assert security["pool"]["x-amazon-apigateway-authorizer"]["type"] == "cognito_user_pools"
    assert api["Body"]["paths"]["/cognito"]["get"]["security"] == [{"pool": []}]
    assert api["Body"]["paths"]["/custom"]["get"]["security"] == [{"custom_auth": []}]
    assert len(by_type("AWS::CodeDeploy::DeploymentGroup")) == len(functions)


def test_an_s3_handler_stops_packaging_with_chalices_reason(
    copied_project: ProjectConfig, stages: dict[str, StageConfig], tmp_path: Path, local_cloud: str
) -> None:
    # Chalice cannot package S3 events (CloudFormation cannot change an existing bucket's
    # notifications): the deploy stops and says so, rather than deploying without it.
    app = copied_project.root / "services" / "kinds" / "app.py"
    app.write_text(app.read_text() + S3_HANDLER)
    with pytest.raises(PackagingError, match="on_s3_event"):
        package_service(
            copied_project, stages["canary"], "kinds", tmp_path / "out", None, lambda line: None
        )
