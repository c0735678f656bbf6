"""`invoke auth.*` on a running local cloud: users come and go, tokens work, errors are one line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from invoke import Config, MockContext, Result

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config
from {{ cookiecutter.project_slug }}_devkit.local_cloud_state import PASSWORDS_FILE
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run
from {{ cookiecutter.project_slug }}_devkit.user_tokens import claims_of

from devtasks import auth

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
DEVKIT = "{{ cookiecutter.project_slug }}_devkit"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A local cloud of its own with the first stage provisioned."""
    stage = next(iter(_project().stages))
    state_dir = tmp_path_factory.mktemp("auth-cloud")
    port, moto_port = free_port_run(2)
    up = _devkit("local_cloud_cli", "up", "--state-dir", str(state_dir), "--engine", "moto",
                 "--port", str(port), "--moto-port", str(moto_port), "--stage", stage)  # fmt: skip
    assert up.returncode == 0, up.stderr
    try:
        yield state_dir
    finally:
        _devkit("local_cloud_cli", "down", "--state-dir", str(state_dir))


def _project() -> ProjectConfig:
    return load_project_config(ROOT)


def _devkit(module: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", f"{DEVKIT}.{module}", *args]
    return subprocess.run(command, input=stdin, cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=120)  # fmt: skip


def _auth(
    cloud: Path, action: str, user: str, *extra: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    stage = next(iter(_project().stages))
    return _devkit("auth_cli", action, "--stage", stage, "--user", user,
                   "--state-dir", str(cloud), *extra, stdin=stdin)  # fmt: skip


def test_add_sign_in_and_remove(cloud: Path) -> None:
    user, password = f"u{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}-A1"
    added = _auth(cloud, "add", user, "--email", f"{user}@example.com", "--group", "admins",
                  stdin=password)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert password not in added.stdout

    access = _auth(cloud, "token", user, stdin=password)
    identity = _auth(cloud, "token", user, "--use", "id", stdin=password)
    assert access.returncode == identity.returncode == 0
    assert claims_of(access.stdout.strip())["token_use"] == "access"
    id_claims = claims_of(identity.stdout.strip())
    assert (id_claims["token_use"], id_claims["cognito:groups"]) == ("id", ["admins"])

    assert _auth(cloud, "remove", user).returncode == 0
    gone = _auth(cloud, "token", user, stdin=password)
    assert gone.returncode == 1
    assert gone.stderr == f"auth token: sign-in refused for {user}: wrong user or password\n"


def test_a_made_up_password_is_shown_once_and_works(cloud: Path) -> None:
    user = f"u{uuid.uuid4().hex[:8]}"
    added = _auth(cloud, "add", user, "--email", f"{user}@example.com")
    password = added.stdout.rsplit("password (shown once): ", 1)[1].strip()
    assert _auth(cloud, "token", user, stdin=password).returncode == 0


def test_a_wrong_password_is_one_line_without_the_password(cloud: Path) -> None:
    user, password = f"u{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}-A1"
    _auth(cloud, "add", user, "--email", f"{user}@example.com", stdin=password)
    wrong = _auth(cloud, "token", user, stdin="not-" + password)
    assert wrong.returncode == 1
    assert wrong.stdout == ""
    assert wrong.stderr == f"auth token: sign-in refused for {user}: wrong user or password\n"


def test_without_a_local_cloud_it_stops_at_once(tmp_path: Path) -> None:
    result = _auth(tmp_path, "token", "alice", stdin="whatever")
    assert result.returncode == 1
    assert result.stderr == (
        "auth token: the local cloud is not running: start it with `invoke local.up` "
        "(or pass --aws for the stage on AWS)\n"
    )


def test_the_auth_benchmark_runs_and_reports_a_ratio() -> None:
    result = _devkit("auth_benchmark", "--rounds", "5")
    assert result.returncode == 0, result.stderr
    assert "ratio guarded/open: " in result.stdout


class _Terminal(io.StringIO):
    """Standard input that is a terminal, with nothing typed."""

    def isatty(self) -> bool:
        return True


def _token_task_stdin(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch, cloud: Path, user: str, **options: bool
) -> str:
    """What `invoke auth.token` hands the devkit on its stdin (the password), via a mock run."""
    monkeypatch.setattr(auth, "STATE_DIR", str(cloud))
    context = MockContext(config=invoke_config, run=Result())
    auth.token(context, stage=next(iter(invoke_config.stages)), user=user, **options)
    (command,) = [call.args[0] for call in context.run.call_args_list]  # type: ignore[attr-defined]
    password: str = context.run.call_args.kwargs["in_stream"].getvalue()  # type: ignore[attr-defined]
    assert not password or password not in command
    return password


def test_seeded_passwords_are_recorded_0600_and_auth_token_uses_them(
    cloud: Path, invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project()
    path = cloud / PASSWORDS_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in cloud.iterdir() if entry.name.startswith(".")] == []
    recorded = json.loads(path.read_text())[next(iter(project.stages))]
    assert sorted(recorded) == sorted(user.username for user in project.local_cloud.users)
    user = project.local_cloud.users[0].username

    # At a terminal, with nothing piped: the recorded password, and no prompt.
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail(f"asked: {prompt}"))
    password = _token_task_stdin(invoke_config, monkeypatch, cloud, user)
    assert password == recorded[user]
    signed_in = _auth(cloud, "token", user, stdin=password)
    assert signed_in.returncode == 0, signed_in.stderr
    assert claims_of(signed_in.stdout.strip())["username"] == user

    # A user without a recorded password, or --aws: the hidden prompt, as before.
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed")
    assert _token_task_stdin(invoke_config, monkeypatch, cloud, "nobody") == "typed"
    assert _token_task_stdin(invoke_config, monkeypatch, cloud, user, aws=True) == "typed"

    # A piped password wins over the recorded one.
    monkeypatch.setattr("sys.stdin", io.StringIO("piped"))
    assert _token_task_stdin(invoke_config, monkeypatch, cloud, user) == "piped"
