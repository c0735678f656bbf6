"""`invoke secrets.*`: a stage's secrets between AWS Secrets Manager and `.env.<stage>`.

The work runs inside .venv (`<project>_devkit.secrets_cli`); this module checks the
stage and key first, so nothing unchecked reaches AWS or a shell, and hands values
over on standard input, never on a command line.
"""

from __future__ import annotations

import getpass
import io
import re
import shlex
import sys

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from .layout import ROOT, run_devkit
from .stages import checked_stage, is_protected, stage_region

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
STAGE_HELP = "Stage whose secret to use (see invoke.yaml)"
CONFIRM_HELP = "Required to change a protected stage"


def secret_id(c: Context, stage: str) -> str:
    """The stage's secret: `<project>/<stage>`, as stage_secrets.secret_name builds it."""
    return f"{c.config.project.prefix}/{stage}"


def env_file_path(stage: str, env_file: str) -> str:
    """The .env file of a stage: `.env.<stage>` in the project unless told otherwise."""
    return env_file or str(ROOT / f".env.{stage}")


def run_secrets_cli(c: Context, action: str, stage: str, *extra: str, value: str = "") -> None:
    """Run one secrets_cli action for a checked stage; `value` goes to its standard input."""
    arguments = " ".join(
        [
            action,
            f"--secret-id {secret_id(c, stage)}",
            f"--region {stage_region(c, stage)}",
            *(shlex.quote(part) for part in extra),
        ]
    )
    run_devkit(c, "secrets_cli", arguments, in_stream=io.StringIO(value), echo_stdin=False)


def _checked_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise Exit(f"{key[:40]!r} is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*).", code=1)
    return key


def _confirmed(c: Context, stage: str, confirm: bool) -> None:
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to change its secret.", code=1)


@task(
    name="fetch",
    help={"stage": STAGE_HELP, "env_file": "Where to write (default: .env.<stage>)"},
)
def fetch(c: Context, stage: str, env_file: str = "") -> None:
    """Write the stage's secrets to .env.<stage> (0600, atomically); fail if they can't be read."""
    stage = checked_stage(c, stage)
    run_secrets_cli(c, "fetch", stage, "--env-file", env_file_path(stage, env_file))


@task(name="list", help={"stage": STAGE_HELP})
def list_keys(c: Context, stage: str) -> None:
    """List the names (never the values) of the stage's secrets."""
    run_secrets_cli(c, "list", checked_stage(c, stage))


@task(name="diff", help={"stage": STAGE_HELP, "env_file": "Local file (default: .env.<stage>)"})
def diff(c: Context, stage: str, env_file: str = "") -> None:
    """Name the keys that differ between Secrets Manager and the local file (never values)."""
    stage = checked_stage(c, stage)
    run_secrets_cli(c, "diff", stage, "--env-file", env_file_path(stage, env_file))


@task(name="set", help={"stage": STAGE_HELP, "key": "Variable name", "confirm": CONFIRM_HELP})
def set_key(c: Context, stage: str, key: str, confirm: bool = False) -> None:
    """Set one secret; the value comes from standard input or a hidden prompt."""
    stage = checked_stage(c, stage)
    key = _checked_key(key)
    _confirmed(c, stage, confirm)
    if sys.stdin.isatty():
        value = getpass.getpass(f"Value of {key} for {stage} (hidden): ")
    else:
        value = sys.stdin.read()
    run_secrets_cli(c, "set", stage, key, value=value)


@task(name="unset", help={"stage": STAGE_HELP, "key": "Variable name", "confirm": CONFIRM_HELP})
def unset_key(c: Context, stage: str, key: str, confirm: bool = False) -> None:
    """Remove one secret of the stage."""
    stage = checked_stage(c, stage)
    key = _checked_key(key)
    _confirmed(c, stage, confirm)
    run_secrets_cli(c, "unset", stage, key)


ns = Collection("secrets")
for _task in (fetch, list_keys, diff, set_key, unset_key):
    ns.add_task(_task)
