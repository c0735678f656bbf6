"""How a stage's SQL and search tiers reach its services, unit by unit, without packaging:
the stage stack's parameters from invoke.yaml, what the release template and the
post-processing add to a service's template, the engine's credentials read from the
secret per connection (botocore's Stubber), and the migration step's reachability check."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config
from {{ cookiecutter.project_slug }}_devkit import deployment as devkit_deployment
from {{ cookiecutter.project_slug }}_devkit.deployment import stage_parameters
from {{ cookiecutter.project_slug }}_devkit.project_config import StageConfig
from {{ cookiecutter.project_slug }}_devkit.sam_template import (
    SQL_OUTPUTS,
    VPC_ACCESS_POLICY,
    release_template,
    search_access_policy_name,
    with_data_tier,
)
from {{ cookiecutter.project_slug }}_devkit.stage_database import check_reachable, migrate_database
from {{ cookiecutter.project_slug }}_sql import SqlError
from {{ cookiecutter.project_slug }}_sql.credentials import DatabaseReference

STACK = "acme-dev"
# pragma: allowlist nextline secret
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!cluster-1"
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")


@pytest.fixture
def stage(project: ProjectConfig) -> StageConfig:
    return next(iter(project.stages.values()))


@pytest.fixture
def data_stage(stage: StageConfig) -> StageConfig:
    return dataclasses.replace(
        stage, sql_vpc_id="vpc-0123456789abcdef0", sql_subnet_ids=SUBNETS, search=True
    )


def _lambda_role() -> dict[str, Any]:
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
             "Action": "sts:AssumeRole"}  # fmt: skip
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
            "Policies": [{"PolicyName": "own", "PolicyDocument": {"Statement": []}}],
        },
    }


def _chalice_like_template() -> dict[str, Any]:
    other = _lambda_role()
    other["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {
        "Service": "apigateway.amazonaws.com"
    }
    return {
        "Resources": {
            "ApiHandlerRole": _lambda_role(),
            "OnRecordChangeRole": _lambda_role(),
            "ApiGatewayRole": other,
        }
    }


def test_the_stage_stack_gets_sql_and_search_only_where_invoke_yaml_asks(
    project: ProjectConfig, stage: StageConfig, data_stage: StageConfig
) -> None:
    plain = stage_parameters(project, stage)
    assert (plain["SqlVpcId"], plain["SqlSubnetIds"], plain["Search"]) == ("", "", "off")
    on = stage_parameters(project, data_stage)
    assert on["SqlVpcId"] == "vpc-0123456789abcdef0"
    assert on["SqlSubnetIds"] == ",".join(SUBNETS)
    assert on["Search"] == "on"


def test_deploy_hands_the_stage_stack_the_stages_sql_and_search_settings(
    monkeypatch: pytest.MonkeyPatch, project: ProjectConfig, data_stage: StageConfig, tmp_path: Path
) -> None:
    seen: list[dict[str, str]] = []

    class Stop(Exception):
        pass

    def stage_stack(project: Any, stage: str, clients: Any, parameters: dict[str, str],
                    *args: Any) -> dict[str, str]:  # fmt: skip
        seen.append(parameters)
        raise Stop

    monkeypatch.setattr(devkit_deployment, "secret_reference", lambda *args: None)
    monkeypatch.setattr(devkit_deployment, "upload_notifier", lambda *args: "key")
    monkeypatch.setattr(devkit_deployment, "notifier_zip", lambda *args: b"")
    monkeypatch.setattr(devkit_deployment, "deploy_stage_stack", stage_stack)

    class Clients:
        def __call__(self, service: str) -> Any:
            return self

        def get_caller_identity(self) -> dict[str, str]:
            return {"Account": "123456789012"}

    with pytest.raises(Stop):
        devkit_deployment.deploy_stage(
            project, data_stage, [], Clients(), tmp_path, progress=lambda line: None
        )
    assert seen == [{**stage_parameters(project, data_stage), "NotifierCodeKey": "key"}]
    assert seen[0]["Search"] == "on"
    assert seen[0]["SqlSubnetIds"] == ",".join(SUBNETS)


def test_invoke_yaml_sql_and_search_settings_are_read_and_checked(
    project: ProjectConfig, tmp_path: Path
) -> None:
    raw = yaml.safe_load((project.root / "invoke.yaml").read_text())
    name = next(iter(raw["stages"]))
    raw["stages"][name].update(
        sql={"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": list(SUBNETS)}, search=True
    )
    (tmp_path / "services").mkdir()
    (tmp_path / "invoke.yaml").write_text(yaml.safe_dump(raw))
    read = load_project_config(tmp_path).stages[name]
    assert (read.has_sql, read.sql_subnet_ids, read.search) == (True, SUBNETS, True)

    raw["stages"][name]["sql"] = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": [SUBNETS[0]]}
    (tmp_path / "invoke.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match="two private subnets"):
        load_project_config(tmp_path)


def test_a_stage_without_sql_or_search_changes_nothing(stage: StageConfig) -> None:
    merged = release_template("acme", "notes", stage, STACK)["Globals"]["Function"]
    assert "VpcConfig" not in merged
    assert not {"APP_DATABASE_SECRET_ARN", "APP_DATABASE_HOST", "APP_SEARCH_URL"} & set(
        merged["Environment"]["Variables"]
    )
    template = _chalice_like_template()
    assert with_data_tier(template, "acme", "notes", stage, STACK) == template


def test_sql_puts_every_function_in_the_vpc_with_where_the_proxy_is_and_no_password(
    data_stage: StageConfig,
) -> None:
    merged = release_template("acme", "notes", data_stage, STACK)["Globals"]["Function"]
    assert merged["VpcConfig"] == {
        "SecurityGroupIds": [{"Fn::ImportValue": f"{STACK}-ServiceSecurityGroupId"}],
        "SubnetIds": {"Fn::Split": [",", {"Fn::ImportValue": f"{STACK}-DatabaseSubnetIds"}]},
    }
    variables = merged["Environment"]["Variables"]
    for variable, output in SQL_OUTPUTS.items():
        assert variables[variable] == {"Fn::ImportValue": f"{STACK}-{output}"}
    assert variables["APP_DATABASE_NAME"] == "app"
    assert "APP_DATABASE_URL" not in variables
    assert "password" not in json.dumps(merged).lower()


def test_function_roles_may_read_the_database_secret_and_use_the_collection_only(
    data_stage: StageConfig,
) -> None:
    result = with_data_tier(_chalice_like_template(), "acme", "notes", data_stage, STACK)
    for logical_id in ("ApiHandlerRole", "OnRecordChangeRole"):
        properties = result["Resources"][logical_id]["Properties"]
        (added,) = [p for p in properties["Policies"] if p["PolicyName"] == "stage-data-tier"]
        grants = {s["Action"]: s["Resource"] for s in added["PolicyDocument"]["Statement"]}
        assert grants == {
            "secretsmanager:GetSecretValue": {"Fn::ImportValue": f"{STACK}-DatabaseSecretArn"},
            "aoss:APIAccessAll": {"Fn::ImportValue": f"{STACK}-SearchCollectionArn"},
        }
        assert properties["ManagedPolicyArns"] == [{"Fn::Sub": VPC_ACCESS_POLICY}]
    # Only roles Lambda assumes.
    assert len(result["Resources"]["ApiGatewayRole"]["Properties"]["Policies"]) == 1


def test_the_collection_access_policy_names_the_function_roles_and_the_services_index(
    data_stage: StageConfig,
) -> None:
    result = with_data_tier(_chalice_like_template(), "acme", "notes", data_stage, STACK)
    policy = result["Resources"]["SearchAccessPolicy"]
    assert policy["Type"] == "AWS::OpenSearchServerless::AccessPolicy"
    assert policy["Properties"]["Type"] == "data"
    text, variables = policy["Properties"]["Policy"]["Fn::Sub"]
    assert variables == {
        "Role0": {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]},
        "Role1": {"Fn::GetAtt": ["OnRecordChangeRole", "Arn"]},
    }
    (statement,) = json.loads(text)
    assert statement["Principal"] == ["${Role0}", "${Role1}"]
    rules = {rule["ResourceType"]: rule for rule in statement["Rules"]}
    collection = f"acme-{data_stage.name}"
    assert rules["index"]["Resource"] == [f"index/{collection}/{data_stage.name}-notes"]
    assert "aoss:DeleteIndex" not in rules["index"]["Permission"]
    assert rules["collection"]["Resource"] == [f"collection/{collection}"]


@pytest.mark.parametrize(
    ("prefix", "stage", "service"),
    [("acme", "dev", "notes"), ("a-very-long-project-prefix", "staging", "user_prefs")],
)
def test_access_policy_names_fit_opensearch_serverless(
    prefix: str, stage: str, service: str
) -> None:
    name = search_access_policy_name(prefix, stage, service)
    assert re.fullmatch(r"[a-z][a-z0-9-]{2,31}", name), name
    assert name != search_access_policy_name(prefix, stage, service + "x")


@pytest.fixture
def secrets() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


class _Opened(Exception):
    """Raised by the fake driver once it has seen a connection's parameters."""


def test_the_engine_reads_the_secret_for_each_new_connection_and_holds_no_password(
    secrets: tuple[Any, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines, secret_engine

    client, stub = secrets
    for password in ("first-pw", "rotated-pw"):  # pragma: allowlist secret
        stub.add_response(
            "get_secret_value",
            {"SecretString": json.dumps({"username": "app_admin", "password": password})},
            {"SecretId": SECRET_ARN},
        )
    reference = DatabaseReference(SECRET_ARN, "proxy.example", "app")
    seen: list[dict[str, Any]] = []
    try:
        engine = secret_engine(reference, client)
        assert secret_engine(reference, client) is engine  # one per container

        def fake_connect(*args: Any, **params: Any) -> Any:
            seen.append(params)
            raise _Opened

        monkeypatch.setattr(engine.dialect, "connect", fake_connect)
        for _ in range(2):  # a new connection each time, as after a recycle
            with pytest.raises(_Opened):
                engine.connect()
    finally:
        dispose_engines()
    assert [params["password"] for params in seen] == ["first-pw", "rotated-pw"]
    assert {params["user"] for params in seen} == {"app_admin"}
    assert {params["host"] for params in seen} == {"proxy.example"}
    assert all("ssl_context" in params for params in seen)  # RDS Proxy requires TLS
    assert engine.url.password is None


@pytest.mark.parametrize("error", [ConnectionRefusedError(111, "Connection refused"),
                                   TimeoutError()])  # fmt: skip
def test_migrating_a_database_this_machine_cannot_reach_stops_in_one_line(
    error: OSError,
) -> None:
    def connect(address: tuple[str, int], timeout: float) -> Any:
        assert address == ("proxy.example", 5432)
        raise error

    # pragma: allowlist nextline secret (made-up credentials)
    url = "postgresql+pg8000://app_admin:hidden-pw@proxy.example:5432/app?sslmode=require"
    with pytest.raises(SqlError) as refused:
        migrate_database(url, lambda line: None, connect=connect)
    message = str(refused.value)
    assert "proxy.example:5432" in message
    assert "VPC" in message
    assert "hidden-pw" not in message
    assert "\n" not in message


def test_a_sqlite_database_needs_no_reachability_check() -> None:
    def connect(address: tuple[str, int], timeout: float) -> Any:
        raise AssertionError("no server to reach")

    check_reachable("sqlite:///x.sqlite3", connect)
