"""`invoke dev`: every service answers on its port against the local cloud; Ctrl-C stops it all."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config
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


def test_without_a_local_cloud_it_stops_at_once(tmp_path: Path, project: ProjectConfig) -> None:
    result = subprocess.run(
        [sys.executable, "-m", f"{DEVKIT}.dev_server", "--stage", next(iter(project.stages)),
         "--state-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "invoke dev: the local cloud is not running: start it with `invoke local.up`\n"
    )


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
