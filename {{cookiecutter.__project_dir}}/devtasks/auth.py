"""`invoke auth.*`: tokens for curl and Postman, and the users of a stage's user pool.

Against the running local cloud unless --aws is given. Passwords come from
standard input or a hidden prompt and reach the devkit command on its standard
input, never on a command line. At a terminal, `auth.token` on the local cloud
signs a seeded user in with the password `local.up` recorded for it (0600, in
the local cloud's state folder) instead of asking.
"""

from __future__ import annotations

import getpass
import io
import re
import shlex
import sys
from pathlib import Path

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from .layout import require_venv, run_devkit
from .local_cloud import STATE_DIR
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


def _run(c: Context, action: str, stage: str, user: str, aws: bool, *extra: str,
         secret: str = "") -> None:  # fmt: skip
    options = [action, f"--stage {stage}", f"--user {shlex.quote(user)}",
               f"--state-dir {STATE_DIR}", *extra]  # fmt: skip
    if aws:
        options.append("--aws")
    run_devkit(c, "auth_cli", " ".join(options), in_stream=io.StringIO(secret), echo_stdin=False)


def _read_password(prompt: str) -> str:
    return getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.read()


def _recorded_password(stage: str, user: str) -> str | None:
    """The password `local.up` recorded for a seeded user of the local cloud, if any."""
    require_venv()
    from {{ cookiecutter.project_slug }}_devkit.local_cloud_state import recorded_password

    return recorded_password(Path(STATE_DIR), stage, user)


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
        recorded = _recorded_password(stage, user)
    password = recorded or _read_password(f"Password of {user} in {stage} (hidden): ")
    _run(c, "token", stage, user, aws, f"--use {use}", secret=password)


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
    extra = [f"--email {shlex.quote(email)}", *(f"--group {name}" for name in groups)]
    _run(c, "add", stage, user, aws, *extra, secret=password)


@task(name="remove", help={**HELP, "confirm": "Required for a protected stage"})
def remove_user(
    c: Context, stage: str, user: str, aws: bool = False, confirm: bool = False
) -> None:
    """Delete a user from the stage's pool."""
    stage = checked_stage(c, stage)
    user = _checked(USER, user, "user name")
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to change its users.", code=1)
    _run(c, "remove", stage, user, aws)


users = Collection("users")
users.add_task(add_user)
users.add_task(remove_user)
ns = Collection("auth")
ns.add_task(token)
ns.add_collection(users)
