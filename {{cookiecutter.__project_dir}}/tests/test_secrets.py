"""`secrets_cli` against Secrets Manager on the local cloud: every failure fails closed."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from pydantic import SecretStr

from {{ cookiecutter.project_slug }}_config import (
    ServiceSettings,
    load_settings,
    read_env_file,
    render_env_file,
)
from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import SecretsError, StageSecrets

pytestmark = pytest.mark.integration

OLD_FILE = b"# the old file\nOLD_KEY='old-value'\n"
SECRET_VALUE = "s3cr3t-value-that-must-not-leak"  # pragma: allowlist secret
NASTY_VALUES = {
    "DOLLAR": "${HOME} and $HOME and ${UNSET:-x}",
    "QUOTES": "it's \"quoted\" 'twice'",
    "HASH": "value # not a comment",
    "EQUALS": "a=b==c",
    "NEWLINES": "line one\nline two\n",
    "BACKSLASH": "C:\\path\\to\\n and \\' and \\\\",
    "SPACES": "  padded  ",
    "UNICODE": "naïve ☃ \t tab",
    "EMPTY": "",
}


class WithSecret(ServiceSettings):
    api_key: SecretStr


def test_rendered_values_read_back_unchanged(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.dev"
    env_file.write_text(render_env_file(NASTY_VALUES, header="header"))
    assert read_env_file(env_file) == NASTY_VALUES


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "{{ cookiecutter.project_slug }}_devkit.secrets_cli", *args]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, check=False, timeout=120
    )


@pytest.fixture
def secrets_manager(local_cloud: str, project: ProjectConfig) -> Any:
    return boto3.client("secretsmanager", region_name=project.region)


@pytest.fixture
def secret_id(secrets_manager: Any, project: ProjectConfig) -> Iterator[str]:
    """A secret name no other test uses; deleted afterwards if it was created."""
    name = f"{project.prefix}/t{uuid.uuid4().hex[:8]}"
    yield name
    with contextlib.suppress(secrets_manager.exceptions.ResourceNotFoundException):
        secrets_manager.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env.dev"
    path.write_bytes(OLD_FILE)
    return path


def fetch(
    secret_id: str, region: str, env_file: Path, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "fetch", "--secret-id", secret_id, "--region", region, "--env-file", str(env_file), **kwargs
    )


def test_fetch_writes_a_private_file_and_prints_keys_only(
    secrets_manager: Any, secret_id: str, env_file: Path, project: ProjectConfig
) -> None:
    secrets_manager.create_secret(
        Name=secret_id, SecretString=json.dumps({"API_KEY": SECRET_VALUE, "OTHER": "x"})
    )
    result = fetch(secret_id, project.region, env_file)
    assert result.returncode == 0, result.stderr
    assert read_env_file(env_file) == {"API_KEY": SECRET_VALUE, "OTHER": "x"}
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert "API_KEY, OTHER" in result.stdout
    assert SECRET_VALUE not in result.stdout + result.stderr
    assert sorted(path.name for path in env_file.parent.iterdir()) == [".env.dev"]


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "does not exist"),
        ("{not json " + SECRET_VALUE, "is not valid JSON"),
        (json.dumps([SECRET_VALUE]), "must hold a JSON object"),
        (json.dumps({"PORT": 8080, "KEY": SECRET_VALUE}), "not a string value for PORT"),
    ],
    ids=["missing", "malformed", "not-an-object", "not-a-string"],
)
def test_fetch_fails_closed(
    secrets_manager: Any,
    secret_id: str,
    env_file: Path,
    project: ProjectConfig,
    secret: str | None,
    reason: str,
) -> None:
    if secret is not None:
        secrets_manager.create_secret(Name=secret_id, SecretString=secret)
    result = fetch(secret_id, project.region, env_file)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert reason in result.stderr
    assert SECRET_VALUE not in result.stdout + result.stderr
    assert env_file.read_bytes() == OLD_FILE
    assert sorted(path.name for path in env_file.parent.iterdir()) == [".env.dev"]


def test_fetch_fails_closed_when_the_endpoint_cannot_be_reached(
    env_file: Path, project: ProjectConfig
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_port}"}
    result = fetch(f"{project.prefix}/dev", project.region, env_file, env=env)
    assert result.returncode == 1
    assert "cannot reach Secrets Manager" in result.stderr
    assert env_file.read_bytes() == OLD_FILE


def test_access_denied_is_one_clear_reason() -> None:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", "AccessDeniedException", http_status_code=400)
        with pytest.raises(SecretsError, match=r"access to acme/dev denied"):
            StageSecrets(client, "acme/dev").read()


class _Throttling(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).calls <= 2:
            status, body = 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        else:
            status, body = 200, {"Name": "x", "SecretString": json.dumps({"K": "v"})}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_throttling_is_retried_with_backoff(env_file: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_port}"}
        result = fetch("acme/dev", "eu-west-1", env_file, env=env)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert _Throttling.calls == 3
    assert read_env_file(env_file) == {"K": "v"}


def test_set_creates_then_updates_and_unset_removes(
    secrets_manager: Any, secret_id: str, project: ProjectConfig
) -> None:
    common = ("--secret-id", secret_id, "--region", project.region)
    created = run_cli("set", *common, "API_KEY", stdin=SECRET_VALUE + "\n")
    updated = run_cli("set", *common, "OTHER", stdin="two")
    listed = run_cli("list", *common)

    assert created.returncode == updated.returncode == listed.returncode == 0
    stored = json.loads(secrets_manager.get_secret_value(SecretId=secret_id)["SecretString"])
    assert stored == {"API_KEY": SECRET_VALUE, "OTHER": "two"}
    assert listed.stdout.split() == ["API_KEY", "OTHER"]
    for result in (created, updated, listed):
        assert SECRET_VALUE not in result.stdout + result.stderr

    removed = run_cli("unset", *common, "OTHER")
    again = run_cli("unset", *common, "OTHER")
    assert removed.returncode == 0
    assert again.returncode == 1
    assert "has no key OTHER" in again.stderr
    stored = json.loads(secrets_manager.get_secret_value(SecretId=secret_id)["SecretString"])
    assert stored == {"API_KEY": SECRET_VALUE}


def test_diff_names_keys_only(
    secrets_manager: Any, secret_id: str, env_file: Path, project: ProjectConfig
) -> None:
    secrets_manager.create_secret(
        Name=secret_id, SecretString=json.dumps({"SAME": "1", "CHANGED": SECRET_VALUE, "NEW": "x"})
    )
    env_file.write_text("SAME='1'\nCHANGED='local-" + SECRET_VALUE + "'\nOLD_KEY='y'\n")
    result = run_cli(
        "diff", "--secret-id", secret_id, "--region", project.region, "--env-file", str(env_file)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "only in Secrets Manager: NEW",
        "only in .env.dev: OLD_KEY",
        "different: CHANGED",
    ]
    assert SECRET_VALUE not in result.stdout


def test_values_survive_secrets_manager_to_env_file_to_settings(
    secrets_manager: Any, secret_id: str, env_file: Path, project: ProjectConfig
) -> None:
    stored = {f"APP_{key}": value for key, value in NASTY_VALUES.items()}
    stored["APP_API_KEY"] = "${NOT_EXPANDED}'\"#=\n" + SECRET_VALUE
    secrets_manager.create_secret(Name=secret_id, SecretString=json.dumps(stored))
    assert fetch(secret_id, project.region, env_file).returncode == 0

    assert read_env_file(env_file) == stored
    base = {"APP_STAGE": "dev", "APP_SERVICE": "s", "APP_REGION": "r", "APP_TABLE_NAME": "t"}
    settings = load_settings(WithSecret, environ=base, env_file=env_file)
    assert settings.api_key.get_secret_value() == stored["APP_API_KEY"]
    assert isinstance(settings, ServiceSettings)


def test_the_task_fetches_the_stage_secret(
    secrets_manager: Any, env_file: Path, project: ProjectConfig
) -> None:
    # The last stage: `invoke dev`'s test provisions the first one on a shared local cloud.
    stage = list(project.stages)[-1]
    name = f"{project.prefix}/{stage}"
    StageSecrets(secrets_manager, name).write({"TOKEN": SECRET_VALUE})
    try:
        invoke = str(Path(sys.executable).with_name("invoke"))
        result = subprocess.run(
            [invoke, "secrets.fetch", "--stage", stage, "--env-file", str(env_file)],
            cwd=project.root,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        secrets_manager.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    assert result.returncode == 0, result.stderr
    assert read_env_file(env_file) == {"TOKEN": SECRET_VALUE}
    assert SECRET_VALUE not in result.stdout + result.stderr
