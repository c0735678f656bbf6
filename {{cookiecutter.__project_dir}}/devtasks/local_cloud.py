"""`invoke local.*`: the local cloud in the background, shared by tasks, tests and your shell.

Each task checks its options once, then calls the devkit's local_cloud_engine, whose
functions return the lines to print; a failure is one line, `local ACTION: why`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import local_cloud_engine
from {{ cookiecutter.project_slug }}_devkit.local_cloud_engine import LocalCloudError
from {{ cookiecutter.project_slug }}_devkit.localstack_runtime import RuntimeNotFound
from {{ cookiecutter.project_slug }}_devkit.project_config import ProjectConfig, load_project_config
from {{ cookiecutter.project_slug }}_devkit.stage_resources import ProvisioningError

from .layout import ROOT
from .stages import checked_stage

# The local cloud's state folder, relative to the project root, where tasks run.
STATE_DIR = ".local-cloud"
ENGINES = ("moto", "localstack")
STAGE_HELP = "Stage whose resources to provision (default: the first stage)"
# What the local cloud's functions raise when they cannot do what was asked.
FAILURES = (LocalCloudError, RuntimeNotFound, ProvisioningError, OSError)


def state_dir() -> Path:
    """The state folder of the project's local cloud."""
    return Path(STATE_DIR)


def project_config() -> ProjectConfig:
    """The devkit's view of invoke.yaml; Exit if it is invalid."""
    try:
        return load_project_config(ROOT)
    except ValueError as error:
        raise Exit(str(error), code=1) from None


def checked_engine(engine: str) -> str:
    """Return `engine` if it is one; Exit naming the engines otherwise."""
    if engine not in ENGINES:
        raise Exit(f"Unknown engine {engine!r}; the engines are: {', '.join(ENGINES)}.", code=1)
    return engine


def run_local(action: str, work: Callable[[], list[str]]) -> None:
    """Print the lines `work` returns; a failure is `local ACTION: why` and exit code 1."""
    try:
        lines = work()
    except FAILURES as error:
        raise Exit(f"local {action}: {error}", code=1) from None
    print("\n".join(lines), flush=True)


def _stage(c: Context, stage: str) -> str:
    return checked_stage(c, stage or next(iter(c.config.stages)))


@task(
    name="up",
    help={
        "engine": "moto (default: local_cloud.engine in invoke.yaml) or localstack",
        "stage": STAGE_HELP,
        "port": "Port on 127.0.0.1 (default: local_cloud.port)",
        "moto_port": "Port of moto beside LocalStack (default: local_cloud.moto_port)",
        "python": "Python >= 3.13 for LocalStack's runtime (default: found on PATH or pyenv)",
    },
)
def up(
    c: Context, engine: str = "", stage: str = "", port: int = 0, moto_port: int = 0,
    python: str = "",
) -> None:  # fmt: skip
    """Start the local cloud in the background and provision a stage from infra/."""
    engine = checked_engine(engine or c.config.local_cloud.engine)
    stage = _stage(c, stage)
    port = int(port or c.config.local_cloud.port)
    moto_port = int(moto_port or c.config.local_cloud.moto_port)
    project = project_config()
    run_local(
        "up",
        lambda: local_cloud_engine.up(project, state_dir(), engine, stage, port, moto_port, python),
    )


@task(name="down")
def down(c: Context) -> None:
    """Stop the local cloud; its resources are gone with it."""
    project = project_config()
    run_local("down", lambda: local_cloud_engine.down(project, state_dir()))


@task(name="status")
def status(c: Context) -> None:
    """Say whether the local cloud runs, where, which engine serves what, and its stacks."""
    project = project_config()
    run_local("status", lambda: local_cloud_engine.status(project, state_dir()))


@task(name="reset", help={"stage": STAGE_HELP})
def reset(c: Context, stage: str = "") -> None:
    """Wipe every resource of the local cloud, then provision the stage again."""
    stage = _stage(c, stage)
    project = project_config()
    run_local("reset", lambda: local_cloud_engine.reset(project, state_dir(), stage))


@task(name="env")
def env(c: Context) -> None:
    """Print shell lines that point AWS tools at the local cloud: eval "$(invoke local.env)"."""
    project = project_config()
    run_local("env", lambda: local_cloud_engine.env(project, state_dir()))


ns = Collection("local")
for _task in (up, down, status, reset, env):
    ns.add_task(_task)
