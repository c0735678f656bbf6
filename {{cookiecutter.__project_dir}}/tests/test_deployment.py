"""Deploy and teardown on the local cloud: two stages side by side, and a canary going back."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, deploy_cli
from {{ cookiecutter.project_slug }}_devkit.canary_release import ALIAS, RolledBack
from {{ cookiecutter.project_slug }}_devkit.deploy_cli import deploy_stage, local_endpoint, teardown_stage
from {{ cookiecutter.project_slug }}_devkit.project_config import StageConfig
from {{ cookiecutter.project_slug }}_devkit.service_deployer import ServiceDeployer, ServicePackage

pytestmark = [pytest.mark.integration, pytest.mark.packaging]
# Words of the progress lines that report a change; a deploy of what is deployed has none.
CHANGES = (
    "created",
    "updated",
    "written",
    "replaced",
    "deployed to",
    "moved",
    "may invoke",
    "reads",
)


class Stage:
    """One test stage: its config, and what it deploys, tears down and finds on the local cloud."""

    def __init__(
        self, project: ProjectConfig, local_cloud: str, deployment: str = "all-at-once"
    ) -> None:
        self.project = project
        self.local_cloud = local_cloud
        self.config = StageConfig(
            name=f"t{uuid.uuid4().hex[:8]}",
            protected=False,
            region=project.region,
            deployment=deployment,
            canary_percent=10,
            canary_minutes=10,
        )
        self.messages: list[str] = []
        self.deployer = ServiceDeployer(self.client, project.region, self.config.name, str)

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.project.region)  # type: ignore[call-overload]

    def deploy(self, packages: list[ServicePackage], **release_options: Any) -> dict[str, str]:
        self.messages.clear()
        return deploy_stage(
            self.project, self.config, packages, self.client, self.local_cloud,
            self.messages.append, **release_options,
        )  # fmt: skip

    def teardown(self, delete_data: bool = False) -> None:
        teardown_stage(
            self.project, self.config, self.project.services, self.client, self.local_cloud,
            delete_data, self.messages.append,
        )  # fmt: skip

    def functions(self) -> dict[str, str]:
        """This stage's functions and the version their `live` alias serves."""
        found = {}
        for service in self.project.services:
            for name in self.deployer._own_functions(self.project.app_name(service)):
                found[name] = self.client("lambda").get_alias(FunctionName=name, Name=ALIAS)[
                    "FunctionVersion"
                ]
        return found

    def apis(self) -> list[str]:
        return [
            name
            for service in self.project.services
            if self.deployer.find_api(
                name := f"{self.project.app_name(service)}-{self.config.name}"
            )
        ]

    def tables(self) -> list[str]:
        names = self.client("dynamodb").list_tables()["TableNames"]
        return [
            name for name in names if name.startswith(f"{self.project.prefix}-{self.config.name}-")
        ]


@pytest.fixture
def packages(packaged: Path, project: ProjectConfig) -> list[ServicePackage]:
    """Every service as `invoke package` wrote it for the first stage."""
    return [
        ServicePackage.read(service, packaged / service / "package") for service in project.services
    ]


@pytest.fixture
def stages(project: ProjectConfig, local_cloud: str) -> Iterator[Any]:
    """Makes test stages; whatever they left is removed after the test, data included."""
    made: list[Stage] = []

    def make(deployment: str = "all-at-once") -> Stage:
        made.append(Stage(project, local_cloud, deployment))
        return made[-1]

    yield make
    for stage in made:
        stage.teardown(delete_data=True)


def test_deploy_then_teardown_two_stages_side_by_side(
    stages: Any, packages: list[ServicePackage], project: ProjectConfig
) -> None:
    first, second = stages(), stages()
    endpoints = first.deploy(packages)
    second.deploy(packages)
    assert sorted(endpoints) == project.services
    assert all(url.startswith(first.local_cloud + "/restapis/") for url in endpoints.values())

    for stage in (first, second):
        functions = stage.functions()
        # An API handler and a stream handler per service, each with its live alias.
        assert len(functions) == 2 * len(project.services)
        assert set(functions.values()) == {"1"}
        assert len(stage.apis()) == len(project.services)
        assert len(stage.tables()) == len(project.services)

    lambda_client = first.client("lambda")
    for service in project.services:
        app = project.app_name(service)
        # Every route of the deployed API calls the alias, so a canary carries API traffic.
        uris = first.deployer.integration_uris(app)
        assert uris
        target = f":{app}-{first.config.name}:{ALIAS}/invocations"
        assert all(uri.endswith(target) for uri in uris.values())
        alias_arn = uris["GET /me"].split("/functions/")[1].removesuffix("/invocations")
        statement = json.loads(lambda_client.get_policy(FunctionName=alias_arn)["Policy"])[
            "Statement"
        ][0]
        assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
        (mapping,) = lambda_client.list_event_source_mappings(
            FunctionName=f"{alias_arn.removesuffix(':' + ALIAS)}-on_record_change:{ALIAS}"
        )["EventSourceMappings"]
        assert (
            f"table/{project.prefix}-{first.config.name}-{service}/stream/"
            in mapping["EventSourceArn"]
        )

    first.deploy(packages)
    changes = [line for line in first.messages if any(word in line for word in CHANGES)]
    assert changes == []

    before = (second.functions(), second.apis(), second.tables())
    first.teardown()
    assert first.functions() == {}
    assert first.apis() == []
    assert len(first.tables()) == len(project.services)  # data stays without --delete-data
    assert (second.functions(), second.apis(), second.tables()) == before
    first.teardown(delete_data=True)
    assert first.tables() == []
    assert (second.functions(), second.apis(), second.tables()) == before


def test_a_canary_goes_back_when_the_alarm_fires_during_the_bake(
    stages: Any, packages: list[ServicePackage], project: ProjectConfig
) -> None:
    stage = stages(deployment="canary")
    stage.deploy(packages)  # the first release has nothing to compare with: all at once
    assert set(stage.functions().values()) == {"1"}

    changed = []
    for package in packages:
        template = copy.deepcopy(package.template)
        for function in template["Resources"].values():
            if function["Type"] == "AWS::Serverless::Function":
                function["Properties"]["Environment"]["Variables"]["APP_RELEASE"] = "2"
        changed.append(ServicePackage(package.service, template, package.archive))
    cloudwatch = stage.client("cloudwatch")
    alarm = f"{project.prefix}-{stage.config.name}-errors"
    now = [0.0]
    during: list[dict[str, Any]] = []

    def sleep(seconds: float) -> None:
        during.append(stage.client("lambda").get_alias(FunctionName=next(iter(stage.functions())),
                                                       Name=ALIAS))  # fmt: skip
        now[0] += seconds
        if now[0] >= 120:
            cloudwatch.set_alarm_state(
                AlarmName=alarm, StateValue="ALARM", StateReason="canary errs"
            )

    with pytest.raises(RolledBack, match=alarm):
        stage.deploy(changed, sleep=sleep, clock=lambda: now[0])
    assert during
    assert all(alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1} for alias in during)
    assert set(stage.functions().values()) == {"1"}
    for service in project.services:
        uris = stage.deployer.integration_uris(project.app_name(service)).values()
        assert all(uri.endswith(f":{ALIAS}/invocations") for uri in uris)

    # Deploying the same change again, with the alarm quiet, releases it: version 2 serves.
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="fixed")
    stage.deploy(changed, sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
                 clock=lambda: now[0])  # fmt: skip
    assert set(stage.functions().values()) == {"2"}


def test_the_deploy_command_refuses_an_endpoint_that_is_not_this_machine(
    monkeypatch: pytest.MonkeyPatch, project: ProjectConfig
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://example.com:4566")
    with pytest.raises(Exception, match="not this machine"):
        local_endpoint()
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.project_slug }}_devkit.deploy_cli", "deploy", "--stage", "nope"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "deploy: unknown stage 'nope'"


def test_invoke_deploy_ends_with_the_endpoints_and_teardown_removes_the_stage(
    project: ProjectConfig, local_cloud: str
) -> None:
    stage = next(name for name, config in project.stages.items() if not config.protected)
    region = project.stages[stage].region
    secrets = boto3.client("secretsmanager", region_name=region)
    secret = f"{project.prefix}/{stage}"
    secrets.create_secret(Name=secret, SecretString="{}")
    invoke = [str(Path(sys.executable).parent / "invoke")]
    try:
        deployed = subprocess.run(
            [*invoke, "deploy", "--stage", stage],
            cwd=project.root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        tail = deployed.stdout.splitlines()[-len(project.services) :]
        assert [line.split(":")[0].strip() for line in tail] == project.services
        assert all(f"{local_cloud}/restapis/" in line for line in tail)
    finally:
        removed = subprocess.run(
            [*invoke, "teardown", "--stage", stage, "--delete-data"],
            cwd=project.root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        secret_left = bool(
            secrets.list_secrets(Filters=[{"Key": "name", "Values": [secret]}])["SecretList"]
        )
        # Forcing the deletion of a secret that is gone succeeds: this only cleans up.
        secrets.delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not secret_left
    functions = boto3.client("lambda", region_name=region).list_functions()["Functions"]
    prefixes = tuple(f"{project.app_name(service)}-{stage}" for service in project.services)
    assert not [f for f in functions if f["FunctionName"].startswith(prefixes)]
    tables = boto3.client("dynamodb", region_name=region).list_tables()["TableNames"]
    assert not [name for name in tables if name.startswith(f"{project.prefix}-{stage}-")]


def test_teardown_of_a_protected_stage_needs_confirmation(project: ProjectConfig) -> None:
    protected = [name for name, config in project.stages.items() if config.protected]
    if not protected:
        pytest.skip("this project has no protected stage")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "invoke"), "teardown", "--stage", protected[0]],
        cwd=project.root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"Stage {protected[0]} is protected: add --confirm to tear it down."
    )


def test_a_rolled_back_canary_makes_the_command_exit_3_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], project: ProjectConfig
) -> None:
    def rolled_back(*arguments: Any) -> None:
        raise RolledBack("example-errors fired during the canary")

    monkeypatch.setitem(deploy_cli.ACTIONS, "deploy", rolled_back)
    monkeypatch.chdir(project.root)
    assert deploy_cli.main(["deploy", "--stage", next(iter(project.stages))]) == 3
    assert capsys.readouterr().err == (
        "deploy: rolled back: example-errors fired during the canary\n"
    )
