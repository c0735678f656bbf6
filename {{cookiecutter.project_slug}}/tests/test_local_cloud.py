"""`invoke local.*` lifecycle: up, up again, status, env, reset, down, busy port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run, port_is_free

pytestmark = pytest.mark.integration

MODULE = "{{ cookiecutter.project_slug }}_devkit.local_cloud_cli"


@pytest.fixture
def cloud(tmp_path: Path, project: ProjectConfig) -> Iterator[tuple[Path, int]]:
    """A state folder and a free port for this test's own local cloud; stopped afterwards."""
    state_dir, (port,) = tmp_path / "local-cloud", free_port_run(1)
    yield state_dir, port
    subprocess.run(
        [sys.executable, "-m", MODULE, "down", "--state-dir", str(state_dir)],
        cwd=project.root,
        capture_output=True,
        check=False,
    )


def local(
    project: ProjectConfig, state_dir: Path, action: str, *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", MODULE, action, "--state-dir", str(state_dir), *options],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_lifecycle(cloud: tuple[Path, int], project: ProjectConfig) -> None:
    state_dir, port = cloud
    stage = next(iter(project.stages))
    started = local(project, state_dir, "up", "--stage", stage, "--port", str(port))
    assert started.returncode == 0, started.stderr
    assert f"moto up on http://127.0.0.1:{port}" in started.stdout
    pid = json.loads((state_dir / "state.json").read_text())["pid"]

    again = local(project, state_dir, "up", "--stage", stage, "--port", str(port))
    assert again.returncode == 0
    assert f"already running: moto on http://127.0.0.1:{port} (pid {pid})" in again.stdout

    region = project.stages[stage].region
    dynamodb = boto3.client(
        "dynamodb", region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="testing", aws_secret_access_key="testing",  # pragma: allowlist secret
    )  # fmt: skip
    for service in project.services:
        table = project.table_name(stage, service)
        assert dynamodb.describe_table(TableName=table)["Table"]["StreamSpecification"][
            "StreamEnabled"
        ]
        ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "ENABLED"

    status = local(project, state_dir, "status")
    assert f"running: moto on http://127.0.0.1:{port}" in status.stdout
    assert project.stack_name(stage) in status.stdout
    exports = local(project, state_dir, "env")
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in exports.stdout.splitlines()

    dynamodb.delete_table(TableName=project.table_name(stage, project.services[0]))
    wiped = local(project, state_dir, "reset", "--stage", stage)
    assert wiped.returncode == 0, wiped.stderr
    assert project.table_name(stage, project.services[0]) in dynamodb.list_tables()["TableNames"]

    stopped = local(project, state_dir, "down")
    assert stopped.returncode == 0
    assert port_is_free(port)
    assert not (state_dir / "state.json").exists()
    after = local(project, state_dir, "status")
    assert after.returncode == 1
    assert "not running" in after.stderr


def test_a_busy_port_is_one_clear_error(cloud: tuple[Path, int], project: ProjectConfig) -> None:
    state_dir, _ = cloud
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = local(project, state_dir, "up", "--stage", next(iter(project.stages)),
                       "--port", str(port))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"local up: port {port} on 127.0.0.1 is in use; pass --port\n"
