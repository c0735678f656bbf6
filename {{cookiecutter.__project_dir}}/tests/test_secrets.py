"""secret_files against Secrets Manager on the local cloud: every failure fails closed."""

from __future__ import annotations

import contextlib
import json
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
from {{ cookiecutter.project_slug }}_devkit.secret_files import (
    diff_keys,
    fetch_to_file,
    list_keys,
    set_key,
    unset_key,
)
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import (
    CLIENT_CONFIG,
    SecretsError,
    StageSecrets,
    secrets_client,
)

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


HEADER = "Written from Secrets Manager. Do not commit."


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
def store(secrets_manager: Any, secret_id: str, project: ProjectConfig) -> StageSecrets:
    """The test's secret, through the client the tasks build (local cloud, retries)."""
    return StageSecrets(secrets_client(project.region), secret_id)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env.dev"
    path.write_bytes(OLD_FILE)
    return path


def endpoint_store(url: str, name: str = "acme/dev") -> StageSecrets:
    """A store whose client goes to `url`, configured as the tasks' client is."""
    client = boto3.client(
        "secretsmanager", region_name="eu-west-1", endpoint_url=url, config=CLIENT_CONFIG
    )
    return StageSecrets(client, name)


def assert_no_value_in(*outputs: str) -> None:
    for output in outputs:
        assert SECRET_VALUE not in output


def test_fetch_writes_a_private_file_and_returns_keys_only(
    secrets_manager: Any,
    store: StageSecrets,
    secret_id: str,
    env_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secrets_manager.create_secret(
        Name=secret_id, SecretString=json.dumps({"API_KEY": SECRET_VALUE, "OTHER": "x"})
    )
    summary = fetch_to_file(store, env_file, HEADER)
    assert read_env_file(env_file) == {"API_KEY": SECRET_VALUE, "OTHER": "x"}
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert summary == "wrote .env.dev (mode 0600) with 2 key(s): API_KEY, OTHER"
    assert_no_value_in(summary, *capsys.readouterr())
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
    store: StageSecrets,
    secret_id: str,
    env_file: Path,
    capsys: pytest.CaptureFixture[str],
    secret: str | None,
    reason: str,
) -> None:
    if secret is not None:
        secrets_manager.create_secret(Name=secret_id, SecretString=secret)
    with pytest.raises(SecretsError, match=reason) as refused:
        fetch_to_file(store, env_file, HEADER)
    message = str(refused.value)
    assert "\n" not in message
    assert_no_value_in(message, *capsys.readouterr())
    assert env_file.read_bytes() == OLD_FILE
    assert sorted(path.name for path in env_file.parent.iterdir()) == [".env.dev"]


def test_fetch_fails_closed_when_the_endpoint_cannot_be_reached(
    env_file: Path, project: ProjectConfig
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    store = endpoint_store(f"http://127.0.0.1:{closed_port}", f"{project.prefix}/dev")
    with pytest.raises(SecretsError, match="cannot reach Secrets Manager") as refused:
        fetch_to_file(store, env_file, HEADER)
    assert "\n" not in str(refused.value)
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


@pytest.mark.slow  # botocore's standard retry mode sleeps for real between attempts
def test_throttling_is_retried_with_backoff(env_file: Path) -> None:
    _Throttling.calls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = endpoint_store(f"http://127.0.0.1:{server.server_port}")
        summary = fetch_to_file(store, env_file, HEADER)
    finally:
        server.shutdown()
        server.server_close()
    assert summary.endswith("with 1 key(s): K")
    assert _Throttling.calls == 3
    assert read_env_file(env_file) == {"K": "v"}


def test_set_creates_then_updates_and_unset_removes(
    secrets_manager: Any,
    store: StageSecrets,
    secret_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `echo value | invoke secrets.set ...` hands over the value with a newline.
    created = set_key(store, "API_KEY", SECRET_VALUE + "\n")
    updated = set_key(store, "OTHER", "two")
    listed = list_keys(store)

    assert created == f"set API_KEY in {secret_id}"
    assert updated == f"set OTHER in {secret_id}"
    stored = json.loads(secrets_manager.get_secret_value(SecretId=secret_id)["SecretString"])
    assert stored == {"API_KEY": SECRET_VALUE, "OTHER": "two"}
    assert listed.splitlines() == ["API_KEY", "OTHER"]

    removed = unset_key(store, "OTHER")
    with pytest.raises(SecretsError, match="has no key OTHER") as again:
        unset_key(store, "OTHER")
    assert removed == f"removed OTHER from {secret_id}"
    assert "\n" not in str(again.value)
    stored = json.loads(secrets_manager.get_secret_value(SecretId=secret_id)["SecretString"])
    assert stored == {"API_KEY": SECRET_VALUE}
    assert_no_value_in(created, updated, listed, removed, str(again.value), *capsys.readouterr())


@pytest.mark.parametrize("value", ["", "\n"])
def test_set_refuses_an_empty_value(store: StageSecrets, value: str) -> None:
    with pytest.raises(SecretsError, match="no value for API_KEY on standard input"):
        set_key(store, "API_KEY", value)
    assert not store.exists()


def test_diff_names_keys_only(
    secrets_manager: Any,
    store: StageSecrets,
    secret_id: str,
    env_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secrets_manager.create_secret(
        Name=secret_id, SecretString=json.dumps({"SAME": "1", "CHANGED": SECRET_VALUE, "NEW": "x"})
    )
    env_file.write_text("SAME='1'\nCHANGED='local-" + SECRET_VALUE + "'\nOLD_KEY='y'\n")
    result = diff_keys(store, env_file)
    assert result.splitlines() == [
        "only in Secrets Manager: NEW",
        "only in .env.dev: OLD_KEY",
        "different: CHANGED",
    ]
    assert_no_value_in(result, *capsys.readouterr())


def test_values_survive_secrets_manager_to_env_file_to_settings(
    secrets_manager: Any, store: StageSecrets, secret_id: str, env_file: Path
) -> None:
    stored = {f"APP_{key}": value for key, value in NASTY_VALUES.items()}
    stored["APP_API_KEY"] = "${NOT_EXPANDED}'\"#=\n" + SECRET_VALUE
    secrets_manager.create_secret(Name=secret_id, SecretString=json.dumps(stored))
    fetch_to_file(store, env_file, HEADER)

    assert read_env_file(env_file) == stored
    base = {"APP_STAGE": "dev", "APP_SERVICE": "s", "APP_REGION": "r", "APP_TABLE_NAME": "t"}
    settings = load_settings(WithSecret, environ=base, env_file=env_file)
    assert settings.api_key.get_secret_value() == stored["APP_API_KEY"]
    assert isinstance(settings, ServiceSettings)


@pytest.mark.slow  # runs `invoke secrets.fetch` in a process of its own
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
