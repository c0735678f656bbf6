"""`invoke secrets.*`: a stage's secrets between AWS Secrets Manager and `.env.<stage>`.

Each task checks the stage and key once, then calls the devkit's secret_files
functions with the stage's store. Output names keys, never values; values to store
come from standard input or a hidden prompt, never from a command line.
"""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable
from pathlib import Path

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_config import EnvFileError
from {{ cookiecutter.project_slug }}_devkit import secret_files
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import (
    SecretsError,
    StageSecrets,
    secret_name,
    secrets_client,
)

from .layout import ROOT
from .stages import checked_stage, is_protected, stage_region

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
STAGE_HELP = "Stage whose secret to use (see invoke.yaml)"
CONFIRM_HELP = "Required to change a protected stage"


def secret_id(c: Context, stage: str) -> str:
    """The stage's secret: `<project>/<stage>`, named as packaging and deploy name it."""
    return secret_name(c.config.project.prefix, stage)


def env_file_path(stage: str, env_file: str) -> Path:
    """The .env file of a stage: `.env.<stage>` in the project unless told otherwise."""
    return Path(env_file) if env_file else ROOT / f".env.{stage}"


def _store(c: Context, stage: str) -> StageSecrets:
    return StageSecrets(secrets_client(stage_region(c, stage)), secret_id(c, stage))


def _run(action: str, work: Callable[[], str]) -> None:
    """Print what `work` returns; a failure is one line and exit code 1."""
    try:
        print(work())
    except (SecretsError, EnvFileError, OSError) as error:
        raise Exit(f"secrets {action}: {error}", code=1) from None


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
    path = env_file_path(stage, env_file)
    store = _store(c, stage)
    header = f"Written from Secrets Manager ({secret_id(c, stage)}). Do not commit."
    _run("fetch", lambda: secret_files.fetch_to_file(store, path, header))


@task(name="list", help={"stage": STAGE_HELP})
def list_keys(c: Context, stage: str) -> None:
    """List the names (never the values) of the stage's secrets."""
    store = _store(c, checked_stage(c, stage))
    _run("list", lambda: secret_files.list_keys(store))


@task(name="diff", help={"stage": STAGE_HELP, "env_file": "Local file (default: .env.<stage>)"})
def diff(c: Context, stage: str, env_file: str = "") -> None:
    """Name the keys that differ between Secrets Manager and the local file (never values)."""
    stage = checked_stage(c, stage)
    path = env_file_path(stage, env_file)
    store = _store(c, stage)
    _run("diff", lambda: secret_files.diff_keys(store, path))


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
    store = _store(c, stage)
    _run("set", lambda: secret_files.set_key(store, key, value))


@task(name="unset", help={"stage": STAGE_HELP, "key": "Variable name", "confirm": CONFIRM_HELP})
def unset_key(c: Context, stage: str, key: str, confirm: bool = False) -> None:
    """Remove one secret of the stage."""
    stage = checked_stage(c, stage)
    key = _checked_key(key)
    _confirmed(c, stage, confirm)
    store = _store(c, stage)
    _run("unset", lambda: secret_files.unset_key(store, key))


ns = Collection("secrets")
for _task in (fetch, list_keys, diff, set_key, unset_key):
    ns.add_task(_task)
