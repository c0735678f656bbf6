"""`invoke api.mock`: each service mocked from its openapi.yaml alone, on printed ports, with
examples for valid requests and 4xx for invalid ones; Ctrl-C stops every mock."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.api_mock import mock_ports
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run, port_is_free

from devtasks import api

ROOT = Path(__file__).resolve().parents[1]
INVOKE = Path(sys.executable).with_name("invoke")
READY = re.compile(r"  (\w+) +(http://127\.0\.0\.1:(\d+))  \(Prism, ready in (\d+\.\d) s; log ")


def test_each_service_keeps_its_port_when_mocked_alone() -> None:
    assert mock_ports(["a", "b", "c"], 4010) == {"a": 4010, "b": 4011, "c": 4012}


def test_a_busy_port_stops_the_task_with_one_line(
    invoke_config: Config, project: ProjectConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "MOCK_LOG_DIR", tmp_path)
    first, *_ = free_port_run(len(project.services))
    service = project.services[-1]
    busy = first + len(project.services) - 1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", busy))
        taken.listen()
        with pytest.raises(Exit) as stopped:
            api.mock(MockContext(config=invoke_config), service=service, first_port=first)
    assert (stopped.value.code, stopped.value.message) == (
        1,
        f"api.mock: port {busy} on 127.0.0.1 (for {service}) is in use; choose other ports",
    )


def _call(url: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (the mock's http URL)
        url, data=data, headers={"Content-Type": "application/json", **headers},
        method="GET" if body is None else "POST",
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.slow
def test_the_mocks_answer_from_the_documents_on_the_printed_ports(project: ProjectConfig) -> None:
    first, *_ = free_port_run(len(project.services))
    command = [str(INVOKE), "--search-root", str(ROOT), "api.mock", "--first-port", str(first)]
    mocks = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert mocks.stdout is not None
        for line in mocks.stdout:
            lines.append(line)
            if "Ctrl-C stops them" in line:
                break
        ready = [READY.match(line) for line in lines]
        served = {match[1]: (match[2], int(match[3])) for match in ready if match}
        assert list(served) == project.services, "".join(lines)
        assert [port for _, port in served.values()] == list(
            range(first, first + len(project.services))
        )
        signed_in = {"Authorization": "Bearer any-token"}
        for service, (url, _) in served.items():
            status, page = _call(f"{url}/{service}", signed_in)
            assert status == 200
            assert isinstance(page["items"], list)
            assert "next_token" in page
            status, record = _call(f"{url}/{service}", signed_in, {"title": "a"})
            assert status == 201
            assert {"id", "data", "version"} <= set(record)
            # Invalid requests: no token, a limit above the maximum, a body that is no object.
            assert _call(f"{url}/{service}", {})[0] == 401
            assert _call(f"{url}/{service}?limit=1000", signed_in)[0] == 400
            assert 400 <= _call(f"{url}/{service}", signed_in, ["not", "an", "object"])[0] < 500
            assert _call(f"{url}/nowhere", signed_in)[0] == 404
        mocks.send_signal(signal.SIGINT)
        assert mocks.wait(timeout=30) == 0
        assert all(port_is_free(port) for _, port in served.values())
    finally:
        if mocks.poll() is None:
            # SIGTERM stops the Prism processes too; a plain kill would leave them running.
            mocks.send_signal(signal.SIGTERM)
            try:
                mocks.wait(timeout=30)
            except subprocess.TimeoutExpired:
                mocks.kill()
                mocks.wait()
