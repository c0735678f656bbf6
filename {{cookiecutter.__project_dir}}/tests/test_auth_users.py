"""`invoke auth.*` on a running local cloud: users come and go, tokens work, errors are one line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, auth_benchmark, auth_users, local_cloud_engine
from {{ cookiecutter.project_slug }}_devkit.auth_users import AuthError
from {{ cookiecutter.project_slug }}_devkit.local_cloud_state import PASSWORDS_FILE
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run
from {{ cookiecutter.project_slug }}_devkit.user_tokens import claims_of

from devtasks import auth, local_cloud

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
INVOKE = Path(sys.executable).with_name("invoke")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory, project: ProjectConfig) -> Iterator[Path]:
    """A local cloud of its own with the first stage provisioned. Its state folder is the
    `.local-cloud` of a scratch folder: the one `invoke` uses when run there."""
    stage = next(iter(project.stages))
    state_dir = tmp_path_factory.mktemp("auth") / local_cloud.STATE_DIR
    port, moto_port = free_port_run(2)
    local_cloud_engine.up(project, state_dir, "moto", stage, port, moto_port)
    try:
        yield state_dir
    finally:
        local_cloud_engine.down(project, state_dir)


def _cognito(project: ProjectConfig, cloud: Path) -> Any:
    return auth_users.cognito_client(project, next(iter(project.stages)), cloud, aws=False)


def _invoke(cloud: Path, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`invoke ARGUMENTS` as a developer runs it, beside `cloud` (its `.local-cloud`)."""
    return subprocess.run(
        [str(INVOKE), "--search-root", str(ROOT), *arguments], input=stdin, cwd=cloud.parent,
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_add_sign_in_and_remove(cloud: Path, project: ProjectConfig) -> None:
    stage, cognito = next(iter(project.stages)), _cognito(project, cloud)
    user, password = f"u{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}-A1"
    email = f"{user}@example.com"
    added = auth_users.add_user(cognito, project, stage, user, email, ["admins"], password)
    assert added == f"added {user} in admins to {stage}"

    access = auth_users.token(cognito, project, stage, user, password)
    identity = auth_users.token(cognito, project, stage, user, password, use="id")
    assert claims_of(access)["token_use"] == "access"
    id_claims = claims_of(identity)
    assert (id_claims["token_use"], id_claims["cognito:groups"]) == ("id", ["admins"])

    assert auth_users.remove_user(cognito, project, stage, user) == f"removed {user} from {stage}"
    with pytest.raises(AuthError) as gone:
        auth_users.token(cognito, project, stage, user, password)
    assert str(gone.value) == f"sign-in refused for {user}: wrong user or password"


def test_a_made_up_password_is_shown_once_and_works(cloud: Path, project: ProjectConfig) -> None:
    stage, cognito = next(iter(project.stages)), _cognito(project, cloud)
    user = f"u{uuid.uuid4().hex[:8]}"
    added = auth_users.add_user(cognito, project, stage, user, f"{user}@example.com", [], "")
    password = added.rsplit("password (shown once): ", 1)[1]
    assert claims_of(auth_users.token(cognito, project, stage, user, password))["username"] == user


def test_invoke_auth_token_prints_the_token_or_one_line_without_the_password(
    cloud: Path, project: ProjectConfig
) -> None:
    stage, cognito = next(iter(project.stages)), _cognito(project, cloud)
    user, password = f"u{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}-A1"
    auth_users.add_user(cognito, project, stage, user, f"{user}@example.com", [], password)
    command = ("auth.token", "--stage", stage, "--user", user)

    signed_in = _invoke(cloud, *command, stdin=password + "\n")
    assert signed_in.returncode == 0, signed_in.stderr
    assert claims_of(signed_in.stdout.strip())["username"] == user
    assert password not in signed_in.stdout + signed_in.stderr

    wrong = _invoke(cloud, *command, stdin="not-" + password)
    assert wrong.returncode == 1
    assert wrong.stdout == ""
    assert wrong.stderr == f"auth token: sign-in refused for {user}: wrong user or password\n"


def test_without_a_local_cloud_it_stops_at_once(
    tmp_path: Path, invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_cloud, "STATE_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("whatever"))
    stage = next(iter(invoke_config.stages))
    with pytest.raises(Exit) as stopped:
        auth.token(MockContext(config=invoke_config), stage=stage, user="alice")
    assert (stopped.value.code, stopped.value.message) == (
        1,
        "auth token: the local cloud is not running: start it with `invoke local.up` "
        "(or pass --aws for the stage on AWS)",
    )


def test_the_auth_benchmark_runs_and_reports_a_ratio(project: ProjectConfig) -> None:
    def environment() -> dict[str, str]:
        # Chalice marks the process when an app is made (AWS_EXECUTION_ENV); nothing else may
        # change: the benchmark runs on a moto of its own without pointing boto3 at it.
        return {name: value for name, value in os.environ.items() if name != "AWS_EXECUTION_ENV"}

    before = environment()
    lines = auth_benchmark.run(project, rounds=5)
    assert lines[-1].startswith("ratio guarded/open: ")
    assert environment() == before


class _Terminal(io.StringIO):
    """Standard input that is a terminal, with nothing typed."""

    def isatty(self) -> bool:
        return True


def test_seeded_passwords_are_recorded_0600_and_auth_token_uses_them(
    cloud: Path, project: ProjectConfig, invoke_config: Config, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    stage = next(iter(project.stages))
    path = cloud / PASSWORDS_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in cloud.iterdir() if entry.name.startswith(".")] == []
    recorded = json.loads(path.read_text())[stage]
    assert sorted(recorded) == sorted(user.username for user in project.local_cloud.users)
    user = project.local_cloud.users[0].username
    monkeypatch.setattr(local_cloud, "STATE_DIR", str(cloud))

    # At a terminal, with nothing piped: the recorded password, and no prompt.
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail(f"asked: {prompt}"))
    capsys.readouterr()
    auth.token(MockContext(config=invoke_config), stage=stage, user=user)
    output = capsys.readouterr()
    assert claims_of(output.out.strip())["username"] == user
    assert recorded[user] not in output.out + output.err

    # Which password the task signs in with, from here on (the sign-in is a stand-in).
    used: list[str] = []

    def sign_in(cognito: Any, project: ProjectConfig, stage: str, user: str, password: str,
                use: str = "access") -> str:  # fmt: skip
        used.append(password)
        return "token"

    monkeypatch.setattr(auth_users, "token", sign_in)

    def password_used(user: str, **options: bool) -> str:
        auth.token(MockContext(config=invoke_config), stage=stage, user=user, **options)
        return used.pop()

    # A user without a recorded password, or --aws: the hidden prompt, as before.
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed")
    assert password_used("nobody") == "typed"
    assert password_used(user, aws=True) == "typed"

    # A piped password wins over the recorded one.
    monkeypatch.setattr("sys.stdin", io.StringIO("piped"))
    assert password_used(user) == "piped"
