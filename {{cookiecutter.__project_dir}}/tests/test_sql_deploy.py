"""The SQL tier on AWS, proven offline: infra/stage.yaml's Aurora Serverless v2 behind RDS Proxy,
the stage's database URL from its outputs and secrets (Stubber), migrations as the deploy step
between the stage stack and the services, and the `db.*` tasks' refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from invoke import Config, Context, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit import deployment as devkit_deployment
from {{ cookiecutter.project_slug }}_devkit.cfn_template import load_template
from {{ cookiecutter.project_slug }}_devkit.stage_database import migrate_database, stage_database_url

from devtasks import database

ROOT = Path(__file__).resolve().parents[1]
SQL_TIER = (
    "DatabaseSecurityGroup", "ServiceSecurityGroup", "DatabaseIngressFromServices",
    "DatabaseIngressFromProxy", "DatabaseSubnetGroup", "DatabaseCluster", "DatabaseInstance",
    "DatabaseProxyRole", "DatabaseProxy", "DatabaseProxyTargets",
)  # fmt: skip
CLUSTER_SECRET = {"Fn::GetAtt": ["DatabaseCluster", "MasterUserSecret.SecretArn"]}
OUTPUTS = {
    # pragma: allowlist nextline secret (made-up credentials)
    "DatabaseSecretArn": "arn:aws:secretsmanager:eu-west-1:1:secret:rds!cluster-1",
    "DatabaseProxyEndpoint": "proxy.example",
}


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    template: dict[str, Any] = load_template(ROOT / "infra" / "stage.yaml")["Resources"]
    return template


def test_the_sql_tier_is_built_only_where_a_vpc_is_given(resources: dict[str, Any]) -> None:
    assert {name for name, item in resources.items() if item.get("Condition") == "HasSql"} >= set(
        SQL_TIER
    )


def test_aurora_is_serverless_v2_with_rds_managed_encrypted_credentials(
    resources: dict[str, Any],
) -> None:
    cluster = resources["DatabaseCluster"]
    properties = cluster["Properties"]
    assert properties["Engine"] == "aurora-postgresql"
    assert properties["ServerlessV2ScalingConfiguration"]["MinCapacity"] >= 0.5
    assert properties["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in properties
    assert properties["StorageEncrypted"] is True
    assert cluster["DeletionPolicy"] == "Snapshot"
    instance = resources["DatabaseInstance"]["Properties"]
    assert instance["DBInstanceClass"] == "db.serverless"
    assert instance["PubliclyAccessible"] is False


def test_the_proxy_requires_tls_and_signs_in_with_the_clusters_secret(
    resources: dict[str, Any],
) -> None:
    proxy = resources["DatabaseProxy"]["Properties"]
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert proxy["RequireTLS"] is True
    assert proxy["Auth"] == [
        {"AuthScheme": "SECRETS", "SecretArn": CLUSTER_SECRET, "IAMAuth": "DISABLED"}
    ]
    statement = resources["DatabaseProxyRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert statement["Statement"][0]["Resource"] == CLUSTER_SECRET
    targets = resources["DatabaseProxyTargets"]["Properties"]
    assert targets["DBClusterIdentifiers"] == [{"Ref": "DatabaseCluster"}]


@pytest.mark.integration
def test_the_local_cloud_skips_the_sql_tier(shared_stage: StageResources) -> None:
    for name in SQL_TIER:
        assert f"{name} (condition HasSql is false)" in shared_stage.skipped
    assert "DatabaseSecretArn" not in shared_stage.outputs


@pytest.fixture
def secrets() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _secret(stub: Stubber, secret_id: str, value: dict[str, str] | None) -> None:
    if value is None:
        stub.add_client_error("get_secret_value", "ResourceNotFoundException", "no such secret")
        return
    stub.add_response(
        "get_secret_value",
        {"ARN": f"arn:aws:secretsmanager:eu-west-1:1:secret:{secret_id}", "Name": secret_id,
         "VersionId": "v" * 32, "SecretString": json.dumps(value)},
        {"SecretId": secret_id},
    )  # fmt: skip


def test_the_stage_url_comes_from_the_outputs_and_the_clusters_secret(
    secrets: tuple[Any, Stubber],
) -> None:
    client, stub = secrets
    _secret(stub, "acme/dev", {})
    # pragma: allowlist nextline secret (made-up credentials)
    _secret(stub, OUTPUTS["DatabaseSecretArn"], {"username": "app_admin", "password": "p@ss:/w"})
    url = stage_database_url(OUTPUTS, client, "acme/dev")
    # pragma: allowlist nextline secret (made-up credentials)
    expected = "postgresql+pg8000://app_admin:p%40ss%3A%2Fw@proxy.example:5432/app?sslmode=require"
    assert url == expected


def test_a_url_in_the_stages_own_secret_wins(secrets: tuple[Any, Stubber]) -> None:
    client, stub = secrets
    _secret(stub, "acme/dev", {"APP_DATABASE_URL": "postgresql://u:p@elsewhere/db"})
    assert stage_database_url(OUTPUTS, client, "acme/dev") == "postgresql+pg8000://u:p@elsewhere/db"


def test_a_stage_without_a_database_migrates_nothing(secrets: tuple[Any, Stubber]) -> None:
    client, stub = secrets
    _secret(stub, "acme/dev", None)
    lines: list[str] = []
    assert migrate_database(stage_database_url({}, client, "acme/dev"), lines.append) is None
    assert "nothing to migrate" in lines[0]


def test_migrating_brings_a_database_to_head_and_prints_no_password(tmp_path: Path) -> None:
    from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines
    from {{ cookiecutter.project_slug }}_sql.migrate import head_revision

    lines: list[str] = []
    try:
        revision = migrate_database(f"sqlite:///{tmp_path}/stage.sqlite3", lines.append)
    finally:
        dispose_engines()
    assert revision == head_revision()
    assert lines[-1] == f"database: at {revision}"


def test_deploy_migrates_after_the_stage_stack_and_before_any_service(
    monkeypatch: pytest.MonkeyPatch, project: ProjectConfig, tmp_path: Path
) -> None:
    steps: list[str] = []

    class Stop(Exception):
        pass

    def stage_stack(*args: Any, **kwargs: Any) -> dict[str, str]:
        steps.append("stage stack")
        return dict(OUTPUTS)

    def package(*args: Any, **kwargs: Any) -> None:
        steps.append("package")
        raise Stop

    monkeypatch.setattr(devkit_deployment, "secret_reference", lambda *args: None)
    monkeypatch.setattr(devkit_deployment, "upload_notifier", lambda *args: "key")
    monkeypatch.setattr(devkit_deployment, "notifier_zip", lambda *args: b"")
    monkeypatch.setattr(devkit_deployment, "deploy_stage_stack", stage_stack)
    monkeypatch.setattr(devkit_deployment, "package_service", package)

    class Clients:
        def __call__(self, service: str) -> Any:
            return self

        def get_caller_identity(self) -> dict[str, str]:
            return {"Account": "123456789012"}

    stage = next(iter(project.stages.values()))
    with pytest.raises(Stop):
        devkit_deployment.deploy_stage(
            project, stage, project.services, Clients(), tmp_path, progress=lambda line: None,
            migrate=lambda outputs: steps.append(f"migrate {outputs['DatabaseProxyEndpoint']}"),
        )  # fmt: skip
    assert steps == ["stage stack", "migrate proxy.example", "package"]


def _context(invoke_config: Config) -> Context:
    return MockContext(config=invoke_config, run={})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stage": "nope"}, "Unknown stage"),
        ({"stage": "FIRST", "url": "mysql://h/db"}, "is not one of"),
        ({"stage": "FIRST", "url": "sqlite:///x", "aws": True}, "give one"),
        ({"stage": "PROTECTED", "aws": True}, "add --confirm"),
    ],
)
def test_migrate_refuses_bad_input_in_one_line(
    invoke_config: Config, options: dict[str, Any], message: str
) -> None:
    # The bake's own stage names: the first one, and one that is protected.
    stages = invoke_config.stages
    named = {
        "FIRST": next(iter(stages)),
        "PROTECTED": next((name for name in stages if stages[name].get("protected")), None),
    }
    if options["stage"] == "PROTECTED" and named["PROTECTED"] is None:
        pytest.skip("this project has no protected stage")
    options = {**options, "stage": named.get(options["stage"], options["stage"])}
    with pytest.raises(Exit, match=message) as refused:
        database.migrate(_context(invoke_config), **options)
    assert refused.value.code == 1
    assert "\n" not in str(refused.value.message)


def test_migrate_upgrades_the_named_database(
    invoke_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines

    try:
        database.migrate(
            _context(invoke_config),
            next(iter(invoke_config.stages)),
            url=f"sqlite:///{tmp_path}/db.sqlite3",
        )
    finally:
        dispose_engines()
    assert "database: at " in capsys.readouterr().out


def test_an_unreachable_database_is_one_line_and_code_1(invoke_config: Config) -> None:
    from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines

    # pragma: allowlist nextline secret (made-up credentials)
    url = "postgresql://app:hidden-pw@127.0.0.1:9/app"
    try:
        with pytest.raises(Exit) as refused:
            database.migrate(_context(invoke_config), next(iter(invoke_config.stages)), url=url)
    finally:
        dispose_engines()
    assert refused.value.code == 1
    assert "hidden-pw" not in str(refused.value.message)


@pytest.mark.parametrize("message", ["", " leading", "a\nb", "x" * 81, "$(id)"])
def test_revision_refuses_a_bad_message(invoke_config: Config, message: str) -> None:
    with pytest.raises(Exit, match="-m MESSAGE is required") as refused:
        database.revision(_context(invoke_config), message)
    assert refused.value.code == 1


def test_check_finds_the_models_and_the_migrations_in_agreement(
    invoke_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    database.check(_context(invoke_config))
    assert "agree" in capsys.readouterr().out


def test_revision_with_nothing_new_writes_nothing(invoke_config: Config) -> None:
    before = sorted((ROOT / "shared/sql/src").rglob("rev_*.py"))
    with pytest.raises(Exit, match="no revision to write"):
        database.revision(_context(invoke_config), "nothing")
    assert sorted((ROOT / "shared/sql/src").rglob("rev_*.py")) == before
