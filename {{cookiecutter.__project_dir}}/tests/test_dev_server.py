"""`invoke dev`: every service answers on its port against the local cloud, which it starts
when none runs; Ctrl-C or SIGTERM stops all it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config
from {{ cookiecutter.project_slug }}_devkit.local_cloud_state import (
    PASSWORDS_FILE,
    STATE_FILE,
    recorded_password,
    require_running,
)
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run, port_is_free

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
DEVKIT = "{{ cookiecutter.project_slug }}_devkit"
SERVICES = load_project_config(ROOT).services


@pytest.fixture
def cloud_state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The session's local cloud (`--local-cloud-state`), or one started for this test."""
    given = request.config.getoption("--local-cloud-state")
    if given:
        yield Path(given)
        return
    state_dir = tmp_path / "local-cloud"
    port, moto_port = free_port_run(2)
    command = [sys.executable, "-m", f"{DEVKIT}.local_cloud_cli", "--state-dir", str(state_dir)]
    up = subprocess.run([*command[:3], "up", *command[3:], "--engine", "moto",
                         "--port", str(port), "--moto-port", str(moto_port)],
                        cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    assert up.returncode == 0, up.stderr
    try:
        yield state_dir
    finally:
        subprocess.run([*command[:3], "down", *command[3:]], cwd=ROOT, check=False)


@pytest.fixture
def dev_server(
    project: ProjectConfig, cloud_state: Path
) -> Iterator[tuple[subprocess.Popen[str], list[int]]]:
    first, *_ = free_port_run(len(SERVICES))
    command = [
        sys.executable, "-m", f"{DEVKIT}.dev_server",
        "--stage", next(iter(project.stages)),
        "--state-dir", str(cloud_state), "--first-port", str(first),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    ports = [first + index for index in range(len(SERVICES))]
    try:
        yield server, ports
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _dev_command(state_dir: Path, first_port: int, *extra: str) -> list[str]:
    stage = next(iter(load_project_config(ROOT).stages))
    return [sys.executable, "-m", f"{DEVKIT}.dev_server", "--stage", stage,
            "--state-dir", str(state_dir), "--first-port", str(first_port), *extra]  # fmt: skip


def test_without_a_local_cloud_it_starts_one_and_sigterm_stops_it_all(
    tmp_path: Path, project: ProjectConfig
) -> None:
    stage, user = next(iter(project.stages)), project.local_cloud.users[0].username
    state_dir = tmp_path / "local-cloud"
    first, *_ = free_port_run(len(SERVICES))
    cloud_port, moto_port = free_port_run(2)
    command = _dev_command(state_dir, first, "--engine", "moto", "--cloud-port", str(cloud_port),
                           "--moto-port", str(moto_port))  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = _read_until(server, lambda line: line.startswith("Serving."), [])
        cloud_pid = json.loads((state_dir / STATE_FILE).read_text())["processes"][0]["pid"]
        password = recorded_password(state_dir, stage, user)
        assert password
        assert (state_dir / PASSWORDS_FILE).stat().st_mode & 0o777 == 0o600
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
    assert lines[0] == (
        f"No local cloud runs: starting moto on 127.0.0.1:{cloud_port} "
        "(as `invoke local.up` does); it stops with dev\n"
    )
    width = max(len(service) for service in SERVICES) + 2
    token = f'export TOKEN="$(.venv/bin/invoke auth.token --stage {stage} --user {user})"'
    for index, service in enumerate(SERVICES):
        url = f"http://127.0.0.1:{first + index}/{service}"
        at = lines.index(f"  {service:<{width}}{url}\n")
        assert lines[at + 1 : at + 3] == [
            f"    {token}\n",
            f'    curl -H "Authorization: Bearer $TOKEN" {url}\n',
        ]
    assert server.wait(timeout=60) == 0
    assert all(port_is_free(port) for port in (first, first + len(SERVICES) - 1, cloud_port))
    assert not (state_dir / STATE_FILE).exists()
    assert not (state_dir / PASSWORDS_FILE).exists()
    with pytest.raises(ProcessLookupError):
        os.kill(cloud_pid, 0)
    assert server.stdout is not None
    assert password not in "".join(lines) + server.stdout.read()


def test_a_busy_cloud_port_stops_it_at_once(tmp_path: Path) -> None:
    (first, *_), (cloud_port, _) = free_port_run(len(SERVICES)), free_port_run(2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", cloud_port))
        taken.listen()
        result = subprocess.run(
            _dev_command(tmp_path, first, "--engine", "moto", "--cloud-port", str(cloud_port)),
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"invoke dev: port {cloud_port} on 127.0.0.1 is in use, and no local cloud of this "
        f"project is recorded in {tmp_path}; choose another with --cloud-port\n"
    )
    assert list(tmp_path.iterdir()) == []


def _new_user_token(project: ProjectConfig, cloud_state: Path) -> str:
    """A user added with `auth.users.add` and signed in with `auth.token`, as a developer does."""
    stage, user = next(iter(project.stages)), f"dev{uuid.uuid4().hex[:8]}"
    password = f"Local-{uuid.uuid4().hex}-A1"
    command = [sys.executable, "-m", f"{DEVKIT}.auth_cli", "--stage", stage, "--user", user,
               "--state-dir", str(cloud_state)]  # fmt: skip
    for action, extra in (("add", ["--email", f"{user}@example.com"]), ("token", [])):
        result = subprocess.run([*command[:3], action, *command[3:], *extra], input=password,
                                cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert password not in result.stdout + result.stderr
    return result.stdout.strip()


def test_services_answer_feed_their_stream_handlers_and_stop_cleanly(
    dev_server: tuple[subprocess.Popen[str], list[int]], project: ProjectConfig, cloud_state: Path
) -> None:
    server, ports = dev_server
    assert server.stdout is not None
    lines = _read_until(server, lambda line: line.startswith("Serving."), [])
    signed_in = {"Authorization": f"Bearer {_new_user_token(project, cloud_state)}"}

    created = {}
    for service, port in zip(SERVICES, ports, strict=True):
        url = f"http://127.0.0.1:{port}/{service}"
        assert any(url in line for line in lines)
        request = urllib.request.Request(
            url,
            data=json.dumps({"via": "dev"}).encode(),
            headers={"Content-Type": "application/json", **signed_in},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 201
            created[service] = json.load(response)["id"]
        listing = urllib.request.Request(url, headers=signed_in)
        with urllib.request.urlopen(listing, timeout=10) as listed:  # noqa: S310
            assert {"via": "dev"} in [item["data"] for item in json.load(listed)["items"]]

    # Each write reaches its own service's stream handler, which prints one line.
    expected = {
        json.dumps({"change": "INSERT", "id": record_id, "message": "record changed",
                    "service": service}, sort_keys=True)
        for service, record_id in created.items()
    }  # fmt: skip
    seen: set[str] = set()

    def all_seen(line: str) -> bool:
        seen.add(line.strip())
        return expected <= seen

    _read_until(server, all_seen, lines)

    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0
    assert all(port_is_free(port) for port in ports)
    require_running(cloud_state)  # a local cloud dev did not start stays


def _read_until(
    server: subprocess.Popen[str], done: Callable[[str], bool], lines: list[str]
) -> list[str]:
    assert server.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        assert line, f"the dev server exited early: {lines}"
        lines.append(line)
        if done(line):
            return lines
    raise AssertionError(f"timed out; output so far: {lines}")
