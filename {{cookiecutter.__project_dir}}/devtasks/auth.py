"""`invoke auth.*`: tokens for curl and Postman, and the users of a stage's user pool.

Against the running local cloud unless --aws is given. Each task checks its
options once, then calls the devkit's auth_users functions. Passwords come from
standard input or a hidden prompt, never from a command line, and no password or
token is in an error. At a terminal, `auth.token` on the local cloud signs a
seeded user in with the password `local.up` recorded for it (0600, in the local
cloud's state folder) instead of asking.
"""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from invoke import Collection, Context, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import auth_users
from {{ cookiecutter.project_slug }}_devkit.auth_users import AuthError
from {{ cookiecutter.project_slug }}_devkit.local_cloud_state import recorded_password
from {{ cookiecutter.project_slug }}_devkit.project_config import ProjectConfig

from .local_cloud import project_config, state_dir
from .stages import checked_stage, is_protected

# Cognito's own rule for user names, without the whitespace it would allow.
USER = re.compile(r"[\w.@+=,-]{1,128}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
GROUP = re.compile(r"[\w.@+=,-]{1,128}")
HELP = {
    "stage": "Stage whose user pool to use",
    "user": "User name",
    "aws": "The stage on AWS (your credentials) instead of the local cloud",
}


def _checked(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise Exit(f"{value[:40]!r} is not a valid {what}.", code=1)
    return value


def _run(
    action: str, project: ProjectConfig, stage: str, aws: bool, work: Callable[[Any], str]
) -> None:
    """Print what `work` returns, given the stage's Cognito client; a failure is one line,
    `auth ACTION: why`, and exit code 1 (Cognito's refusals by their code only)."""
    try:
        print(work(auth_users.cognito_client(project, stage, state_dir(), aws)))
    except AuthError as error:
        raise Exit(f"auth {action}: {error}", code=1) from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise Exit(f"auth {action}: Cognito refused ({code})", code=1) from None
    except BotoCoreError as error:
        raise Exit(f"auth {action}: {type(error).__name__}", code=1) from None


def _read_password(prompt: str) -> str:
    return getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.read()


@task(help={**HELP, "use": "access (default) or id"})
def token(c: Context, stage: str, user: str, use: str = "access", aws: bool = False) -> None:
    """Print a token of a user of the stage's pool: `export TOKEN="$(invoke auth.token ...)"`.

    The password comes from standard input when one is piped, else a seeded user of
    the local cloud uses the one `local.up` recorded, else it is asked for, hidden.
    """
    stage = checked_stage(c, stage)
    user = _checked(USER, user, "user name")
    if use not in ("access", "id"):
        raise Exit("--use is access or id.", code=1)
    recorded = None
    if not aws and sys.stdin.isatty():
        # The password `local.up` recorded for a seeded user of the local cloud, if any.
        recorded = recorded_password(state_dir(), stage, user)
    password = recorded or _read_password(f"Password of {user} in {stage} (hidden): ")
    project = project_config()

    def sign_in(cognito: Any) -> str:
        return auth_users.token(cognito, project, stage, user, password, use)

    _run("token", project, stage, aws, sign_in)


@task(
    name="add",
    help={
        **HELP,
        "email": "E-mail address",
        "group": "A group to join (repeatable)",
        "confirm": "Required for a protected stage",
    },
    iterable=["group"],
)
def add_user(
    c: Context, stage: str, user: str, email: str, group: list[str] | None = None,
    aws: bool = False, confirm: bool = False,
) -> None:  # fmt: skip
    """Add a confirmed user; an empty password makes one up and shows it once."""
    stage = checked_stage(c, stage)
    user = _checked(USER, user, "user name")
    email = _checked(EMAIL, email, "e-mail address")
    groups = [_checked(GROUP, name, "group name") for name in group or []]
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to change its users.", code=1)
    password = _read_password(f"Password for {user} (hidden; empty: make one up): ")
    project = project_config()

    def add(cognito: Any) -> str:
        return auth_users.add_user(cognito, project, stage, user, email, groups, password)

    _run("add", project, stage, aws, add)


@task(name="remove", help={**HELP, "confirm": "Required for a protected stage"})
def remove_user(
    c: Context, stage: str, user: str, aws: bool = False, confirm: bool = False
) -> None:
    """Delete a user from the stage's pool."""
    stage = checked_stage(c, stage)
    user = _checked(USER, user, "user name")
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to change its users.", code=1)
    project = project_config()

    def remove(cognito: Any) -> str:
        return auth_users.remove_user(cognito, project, stage, user)

    _run("remove", project, stage, aws, remove)


users = Collection("users")
users.add_task(add_user)
users.add_task(remove_user)
ns = Collection("auth")
ns.add_task(token)
ns.add_collection(users)
