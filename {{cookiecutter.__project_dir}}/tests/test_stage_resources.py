"""A stage's resources from infra/stage.yaml on the local cloud: tables, user pool, users."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources, provision_stage
from {{ cookiecutter.project_slug }}_devkit.cfn_template import failure_queue_output_key, output_key
from {{ cookiecutter.project_slug }}_devkit.local_users import ensure_users
from {{ cookiecutter.project_slug }}_devkit.project_config import LocalUser
from {{ cookiecutter.project_slug }}_devkit.sam_template import log_group_name
from {{ cookiecutter.project_slug }}_devkit.stage_resources import (
    ClientFactory,
    ProvisioningError,
    RetainedResource,
    locate_stage,
    remove_stage,
    retained_resources,
)
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import StageSecrets, secret_name


def _segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


@pytest.mark.integration
def test_tables_have_streams_ttl_and_point_in_time_recovery(
    project: ProjectConfig, shared_stage: StageResources
) -> None:
    dynamodb = boto3.client("dynamodb", region_name=project.region)
    for service in project.services:
        name = shared_stage.table_name(service)
        assert name == project.table_name(shared_stage.stage, service)
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["StreamSpecification"] == {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
        backups = dynamodb.describe_continuous_backups(TableName=name)
        recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"


@pytest.mark.integration
def test_each_service_has_a_stream_failure_queue_and_a_change_log(
    project: ProjectConfig, aws_clients: ClientFactory, stage_name: str
) -> None:
    sqs, dynamodb = aws_clients("sqs"), aws_clients("dynamodb")
    resources = provision_stage(project, stage_name, aws_clients)
    try:
        for service in project.services:
            url = resources.outputs[failure_queue_output_key(service, "Url")]
            queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            assert queue["QueueArn"] == resources.outputs[failure_queue_output_key(service)]
            assert queue["QueueArn"].endswith(f"-{service}-stream-failures")
            assert queue["MessageRetentionPeriod"] == "1209600"
            log = dynamodb.describe_table(TableName=f"{resources.table_name(service)}-changes")
            keys = [key["AttributeName"] for key in log["Table"]["KeySchema"]]
            assert keys == ["id", "sequence"]
    finally:
        remove_stage(project, resources, aws_clients, delete_data=True)
    for service in project.services:
        url = resources.outputs[failure_queue_output_key(service, "Url")]
        with pytest.raises(sqs.exceptions.QueueDoesNotExist):
            sqs.get_queue_attributes(QueueUrl=url)


@pytest.mark.integration
def test_the_user_pool_its_client_and_groups_exist(
    project: ProjectConfig, shared_stage: StageResources
) -> None:
    cognito = boto3.client("cognito-idp", region_name=project.region)
    pool_id = shared_stage.outputs["UserPoolId"]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == f"{project.prefix}-{shared_stage.stage}"
    client = cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=shared_stage.outputs["UserPoolClientId"]
    )["UserPoolClient"]
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert "ClientSecret" not in client
    groups = cognito.list_groups(UserPoolId=pool_id)["Groups"]
    assert [group["GroupName"] for group in groups] == ["admins"]
    assert shared_stage.outputs["UserPoolIssuer"].endswith(f".amazonaws.com/{pool_id}")


@pytest.mark.integration
def test_error_records_feed_the_stage_alarm_which_notifies_the_alert_topic(
    project: ProjectConfig, shared_stage: StageResources
) -> None:
    stage = shared_stage.stage
    logs = boto3.client("logs", region_name=project.region)
    for service in project.services:
        # Every function of the service logs to this one group (its stack's LoggingConfig).
        group = log_group_name(project.prefix, service, stage)
        (metric_filter,) = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
        assert metric_filter["filterPattern"] == '{ $.level = "ERROR" }'
        (transformation,) = metric_filter["metricTransformations"]
        assert transformation["metricNamespace"] == f"{project.prefix}/{stage}"
        assert transformation["metricName"] == "Errors"
    cloudwatch = boto3.client("cloudwatch", region_name=project.region)
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=[shared_stage.outputs["ErrorAlarmName"]])[
        "MetricAlarms"
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == (f"{project.prefix}/{stage}", "Errors")
    assert alarm["AlarmActions"] == [shared_stage.outputs["AlertTopicArn"]]
    topics = boto3.client("sns", region_name=project.region).list_topics()["Topics"]
    assert {"TopicArn": shared_stage.outputs["AlertTopicArn"]} in topics
    # Without a notifier artifact the function is left out, by its condition, and said so.
    assert "SlackNotifier (condition HasSlackNotifier is false)" in shared_stage.skipped


@pytest.mark.integration
def test_a_seeded_user_signs_in_and_gets_rs256_tokens(
    project: ProjectConfig, stage_resources: StageResources
) -> None:
    cognito = boto3.client("cognito-idp", region_name=project.region)
    pool_id = stage_resources.outputs["UserPoolId"]
    user = LocalUser("carol", "carol@example.com", ("admins",))
    (line,) = ensure_users(cognito, pool_id, [user])
    password = line.rsplit("password: ", 1)[1]

    tokens = cognito.initiate_auth(
        ClientId=stage_resources.outputs["UserPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "carol", "PASSWORD": password},
    )["AuthenticationResult"]

    assert _segment(tokens["IdToken"], 0)["alg"] == "RS256"
    claims = _segment(tokens["IdToken"], 1)
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == "carol"
    assert claims["cognito:groups"] == ["admins"]
    assert claims["aud"] == stage_resources.outputs["UserPoolClientId"]
    assert _segment(tokens["AccessToken"], 1)["token_use"] == "access"
    again = ensure_users(cognito, pool_id, [user])
    assert again == ["user carol exists (password as printed when it was made)"]


@pytest.mark.integration
def test_provisioning_twice_finds_what_exists(
    project: ProjectConfig, aws_clients: ClientFactory, stage_resources: StageResources
) -> None:
    again = provision_stage(project, stage_resources.stage, aws_clients)
    assert again.physical_ids == stage_resources.physical_ids
    assert again.outputs == stage_resources.outputs


def test_intrinsics_resolve_and_unknown_names_are_named(
    tmp_path: Path, project: ProjectConfig
) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "stage.yaml").write_text(
        "Resources:\n"
        "  Function:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      FunctionName: !Sub '${Project}-${Stage}-${Missing}'\n"
    )
    other = ProjectConfig(tmp_path, project.slug, project.prefix, project.region, project.stages)
    resources = provision_stage(other, "dev", lambda service: None)
    assert resources.skipped == ["Function (AWS::Lambda::Function)"]

    (tmp_path / "infra" / "stage.yaml").write_text(
        "Resources:\n"
        "  Group:\n"
        "    Type: AWS::Cognito::UserPoolGroup\n"
        "    Properties:\n"
        "      GroupName: !Join ['-', [!Ref Stage, !Ref Nowhere]]\n"
        "      UserPoolId: x\n"
    )
    with pytest.raises(ProvisioningError, match="Ref to 'Nowhere'"):
        provision_stage(other, "dev", lambda service: None)

    (tmp_path / "infra" / "stage.yaml").write_text(
        "Resources:\n"
        "  A:\n    Type: AWS::SNS::Topic\n    Properties: {Name: !GetAtt B.Arn}\n"
        "  B:\n    Type: AWS::SNS::Topic\n    Properties: {Name: !Ref A}\n"
    )
    with pytest.raises(ProvisioningError, match="circular references between A, B"):
        provision_stage(other, "dev", lambda service: None)


@pytest.mark.integration
def test_the_identity_pool_federates_the_user_pool_into_two_roles(
    project: ProjectConfig, shared_stage: StageResources
) -> None:
    identity = boto3.client("cognito-identity", region_name=project.region)
    pool = identity.describe_identity_pool(IdentityPoolId=shared_stage.outputs["IdentityPoolId"])
    (provider,) = pool["CognitoIdentityProviders"]
    assert provider["ClientId"] == shared_stage.outputs["UserPoolClientId"]
    assert provider["ProviderName"].endswith(shared_stage.outputs["UserPoolId"])
    assert "-" not in pool["IdentityPoolName"]
    iam = boto3.client("iam", region_name=project.region)
    for kind in ("authenticated", "unauthenticated"):
        role = iam.get_role(RoleName=f"{project.prefix}-{shared_stage.stage}-{kind}")["Role"]
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Condition"]["ForAnyValue:StringLike"] == {
            "cognito-identity.amazonaws.com:amr": kind
        }
    # moto cannot attach roles to an identity pool; the local cloud says so.
    assert "IdentityPoolRoles (AWS::Cognito::IdentityPoolRoleAttachment)" in shared_stage.skipped


@pytest.mark.integration
def test_the_stage_secret_comes_from_the_template_and_keeps_its_values(
    project: ProjectConfig, aws_clients: ClientFactory, stage_resources: StageResources
) -> None:
    name = secret_name(project.prefix, stage_resources.stage)
    store = StageSecrets(aws_clients("secretsmanager"), name)
    assert store.read() == {}
    assert aws_clients("secretsmanager").describe_secret(SecretId=name)["ARN"] == (
        stage_resources.outputs["StageSecretArn"]
    )
    store.write({"API_KEY": "kept"})  # pragma: allowlist secret
    provision_stage(project, stage_resources.stage, aws_clients)
    assert store.read() == {"API_KEY": "kept"}  # pragma: allowlist secret


@pytest.mark.integration
def test_what_a_teardown_keeps_is_found_for_the_next_stack_to_import(
    project: ProjectConfig,
    aws_clients: ClientFactory,
    stage_name: str,
    torn_down_stage: StageResources,
) -> None:
    resources = torn_down_stage
    kept = retained_resources(project, stage_name, aws_clients)
    tables = [
        RetainedResource(
            output_key(service).removesuffix("Name"),
            "AWS::DynamoDB::Table",
            project.table_name(stage_name, service),
        )
        for service in project.services
    ] + [
        RetainedResource(
            output_key(service).removesuffix("TableName") + "ChangeLogTable",
            "AWS::DynamoDB::Table",
            f"{project.table_name(stage_name, service)}-changes",
        )
        for service in project.services
    ]
    assert sorted(kept, key=lambda resource: resource.logical_id) == sorted(
        [
            *tables,
            RetainedResource("UserPool", "AWS::Cognito::UserPool",
                             resources.outputs["UserPoolId"]),
            RetainedResource("StageSecret", "AWS::SecretsManager::Secret",
                             resources.outputs["StageSecretArn"]),
        ],
        key=lambda resource: resource.logical_id,
    )  # fmt: skip
    assert {resource.logical_id: resource.identifier for resource in kept}["UserPool"] == {
        "UserPoolId": resources.outputs["UserPoolId"]
    }
    # What is not data went with the teardown.
    alarms = aws_clients("cloudwatch").describe_alarms(
        AlarmNames=[resources.outputs["ErrorAlarmName"]]
    )
    assert alarms["MetricAlarms"] == []
    remove_stage(project, locate_stage(project, stage_name, aws_clients), aws_clients, True)
    assert retained_resources(project, stage_name, aws_clients) == []
