"""`invoke local.*` lifecycle: up, up again, status, env, reset, down; busy port; no engine."""

from __future__ import annotations

import json
import re
import socket
import sys
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, local_cloud_engine
from {{ cookiecutter.project_slug }}_devkit.local_cloud import LocalEndpoints
from {{ cookiecutter.project_slug }}_devkit.localstack_runtime import (
    RuntimeNotFound,
    docker_environment,
    engine_environment,
    find_python,
)
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run, port_is_free
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import StageSecrets

from devtasks import local_cloud

pytestmark = pytest.mark.integration


@pytest.fixture
def cloud(tmp_path: Path, project: ProjectConfig) -> Iterator[tuple[Path, int]]:
    """A state folder and a free port for this test's own local cloud; stopped afterwards."""
    state_dir, (port, _) = tmp_path / "local-cloud", free_port_run(2)
    yield state_dir, port
    local_cloud_engine.down(project, state_dir)


@pytest.fixture
def local(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str]]:
    """Runs the `invoke local.ACTION` task in this process on a state folder; gives its exit
    code and what `invoke` would print: the output, else the one-line reason."""

    def run(state_dir: Path, action: str, **options: Any) -> tuple[int, str]:
        monkeypatch.setattr(local_cloud, "STATE_DIR", str(state_dir))
        capsys.readouterr()
        try:
            local_cloud.ns.tasks[action](MockContext(config=invoke_config), **options)
        except Exit as stopped:
            return stopped.code, str(stopped.message)
        return 0, capsys.readouterr().out

    return run


@pytest.mark.slow
def test_lifecycle(
    cloud: tuple[Path, int], project: ProjectConfig, local: Callable[..., tuple[int, str]]
) -> None:
    state_dir, port = cloud
    stage = next(iter(project.stages))
    code, started = local(state_dir, "up", stage=stage, port=port, moto_port=port + 1,
                          engine="moto")  # fmt: skip
    assert code == 0, started
    assert started.startswith(f"moto up on http://127.0.0.1:{port}: answering after ")
    passwords = re.findall(r"^  user (\w+).* password: (\S+)$", started, re.MULTILINE)
    assert [user for user, _ in passwords] == [user.username for user in project.local_cloud.users]
    pid = json.loads((state_dir / "state.json").read_text())["processes"][0]["pid"]

    again = local_cloud_engine.up(project, state_dir, "moto", stage, port, port + 1)
    assert again[0] == f"already running: moto on http://127.0.0.1:{port}"
    assert "password:" not in "\n".join(again)  # shown once, when the user was made
    assert json.loads((state_dir / "state.json").read_text())["processes"][0]["pid"] == pid

    region = project.stages[stage].region
    dynamodb = _client("dynamodb", port, region)
    for service in project.services:
        table = project.table_name(stage, service)
        assert dynamodb.describe_table(TableName=table)["Table"]["StreamSpecification"][
            "StreamEnabled"
        ]
        ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "ENABLED"
    cognito = _client("cognito-idp", port, region)
    (pool,) = cognito.list_user_pools(MaxResults=10)["UserPools"]
    (app_client,) = cognito.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    user, password = passwords[0]
    signed_in = cognito.initiate_auth(
        ClientId=app_client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": password},
    )
    assert signed_in["AuthenticationResult"]["IdToken"].count(".") == 2

    status = "\n".join(local_cloud_engine.status(project, state_dir))
    assert f"running: moto (host) on http://127.0.0.1:{port}" in status
    assert project.table_name(stage, project.services[0]) in status
    assert f"user pools: {project.prefix}-{stage}" in status
    exports = local_cloud_engine.env(project, state_dir)
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in exports

    dynamodb.delete_table(TableName=project.table_name(stage, project.services[0]))
    wiped = local_cloud_engine.reset(project, state_dir, stage)
    assert wiped[0] == "wiped every resource"
    assert wiped[1].startswith(f"moto up on http://127.0.0.1:{port}: ")
    assert project.table_name(stage, project.services[0]) in dynamodb.list_tables()["TableNames"]
    assert "password: " in "\n".join(wiped)  # a reset wipes the users: they are made again

    assert local(state_dir, "down") == (0, f"stopped moto on http://127.0.0.1:{port}\n")
    assert port_is_free(port)
    assert not (state_dir / "state.json").exists()
    for action in ("status", "env"):
        assert local(state_dir, action) == (
            1,
            f"local {action}: the local cloud is not running: start it with `invoke local.up`",
        )


def _client(service: str, port: int, region: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service, region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="testing", aws_secret_access_key="testing",  # pragma: allowlist secret
    )  # fmt: skip


@pytest.mark.slow
def test_localstack_without_a_python_313_names_what_to_install(
    cloud: tuple[Path, int], tmp_path: Path, local: Callable[..., tuple[int, str]]
) -> None:
    state_dir, port = cloud
    old_python = tmp_path / "python3.11"
    old_python.write_text("#!/bin/sh\necho 3 11\n")
    old_python.chmod(0o755)
    result = local(state_dir, "up", engine="localstack", port=port, moto_port=port + 1,
                   python=str(old_python))  # fmt: skip
    assert result == (1, f"local up: {old_python} is not a Python >= 3.13")
    assert port_is_free(port)
    assert port_is_free(port + 1)
    assert not (state_dir / "state.json").exists()


def test_no_python_313_anywhere_gives_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3.11"))
    with pytest.raises(RuntimeNotFound) as raised:
        find_python()
    assert "uv python install 3.13" in str(raised.value)


@pytest.mark.slow
def test_a_busy_port_is_one_clear_error(
    cloud: tuple[Path, int], local: Callable[..., tuple[int, str]]
) -> None:
    state_dir, _ = cloud
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = local(state_dir, "up", engine="moto", port=port)
    assert result == (1, f"local up: port {port} on 127.0.0.1 is in use; pass --port / --moto-port")
    assert not (state_dir / "state.json").exists()


def test_a_stage_secret_round_trips_on_either_engine(
    request: pytest.FixtureRequest, local_endpoints: LocalEndpoints, project: ProjectConfig
) -> None:
    """Runs on the session's engine: moto by default, LocalStack under `--engine localstack`."""
    state_dir = request.config.getoption("--local-cloud-state")
    state = json.loads((Path(state_dir) / "state.json").read_text()) if state_dir else {}
    engine = state.get("engine", "moto")
    health = "/_localstack/health" if engine == "localstack" else "/moto-api/"
    url = local_endpoints.url_for("secretsmanager") + health
    with urllib.request.urlopen(url) as answer:  # noqa: S310
        body = answer.read()
    if engine == "localstack":
        assert json.loads(body)["services"]["secretsmanager"] in ("available", "running")

    name = f"{project.prefix}/t{uuid.uuid4().hex[:8]}"
    store = StageSecrets(boto3.client("secretsmanager", region_name=project.region), name)
    try:
        store.write({"API_KEY": "s3cr3t ${not expanded}"})  # pragma: allowlist secret
        assert store.read() == {"API_KEY": "s3cr3t ${not expanded}"}  # pragma: allowlist secret
    finally:
        boto3.client("secretsmanager", region_name=project.region).delete_secret(
            SecretId=name, ForceDeleteWithoutRecovery=True
        )


def test_localstack_gets_the_pinned_image_and_the_auth_token_but_no_aws_credentials() -> None:
    developer = {
        "PATH": "/usr/bin",
        "LOCALSTACK_AUTH_TOKEN": "ls-token",  # pragma: allowlist secret
        "AWS_SECRET_ACCESS_KEY": "real-key",  # pragma: allowlist secret
        "AWS_PROFILE": "prod",
    }
    docker = docker_environment(4566, "acme-localstack", developer)
    assert docker == {
        "PATH": "/usr/bin",
        "LOCALSTACK_AUTH_TOKEN": "ls-token",  # pragma: allowlist secret
        "GATEWAY_LISTEN": "127.0.0.1:4566",
        "IMAGE_NAME": "localstack/localstack:4.14.0",
        "MAIN_CONTAINER_NAME": "acme-localstack",
    }
    host = engine_environment(4570, {"AWS_ACCESS_KEY_ID": "AKIA", "HOME": "/home/dev"})
    assert host == {"HOME": "/home/dev", "GATEWAY_LISTEN": "127.0.0.1:4570"}
