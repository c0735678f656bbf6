"""`invoke dev`: every service answers on its port against the local cloud; Ctrl-C stops it all."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run, port_is_free

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
SERVICES = load_project_config(ROOT).services


@pytest.fixture
def dev_server(project: ProjectConfig) -> Iterator[tuple[subprocess.Popen[str], list[int]]]:
    cloud_port, first, *_ = free_port_run(1 + len(SERVICES))
    command = [
        sys.executable, "-m", "{{ cookiecutter.project_slug }}_devkit.dev_server",
        "--stage", next(iter(project.stages)),
        "--cloud-port", str(cloud_port), "--first-port", str(first),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    ports = [first + index for index in range(len(SERVICES))]
    try:
        yield server, [cloud_port, *ports]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_services_answer_and_stop_cleanly(
    dev_server: tuple[subprocess.Popen[str], list[int]],
) -> None:
    server, (cloud_port, *ports) = dev_server
    assert server.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        assert line, f"the dev server exited early: {lines}"
        lines.append(line)
        if line.startswith("Serving."):
            break

    for service, port in zip(SERVICES, ports, strict=True):
        url = f"http://127.0.0.1:{port}/{service}"
        assert any(url in line for line in lines)
        request = urllib.request.Request(
            url,
            data=json.dumps({"via": "dev"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 201
        with urllib.request.urlopen(url, timeout=10) as listed:
            assert [item["data"] for item in json.load(listed)["items"]] == [{"via": "dev"}]

    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0
    assert all(port_is_free(port) for port in [cloud_port, *ports])
