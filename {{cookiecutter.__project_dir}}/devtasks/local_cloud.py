"""`invoke local.*`: the local cloud in the background, shared by tasks, tests and your shell."""

from __future__ import annotations

import shlex

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from .layout import run_devkit
from .stages import checked_stage

# Relative to the project root, where tasks run their commands.
STATE_DIR = ".local-cloud"
ENGINES = ("moto", "localstack")
STAGE_HELP = "Stage whose resources to provision (default: the first stage)"


def _run(c: Context, action: str, *options: str) -> None:
    run_devkit(c, "local_cloud_cli", f"{action} --state-dir {STATE_DIR} {' '.join(options)}")


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
    engine = engine or c.config.local_cloud.engine
    if engine not in ENGINES:
        raise Exit(f"Unknown engine {engine!r}; the engines are: {', '.join(ENGINES)}.", code=1)
    options = [
        f"--engine {engine}",
        f"--stage {_stage(c, stage)}",
        f"--port {int(port or c.config.local_cloud.port)}",
        f"--moto-port {int(moto_port or c.config.local_cloud.moto_port)}",
    ]
    if python:
        options.append(f"--python {shlex.quote(python)}")
    _run(c, "up", *options)


@task(name="down")
def down(c: Context) -> None:
    """Stop the local cloud; its resources are gone with it."""
    _run(c, "down")


@task(name="status")
def status(c: Context) -> None:
    """Say whether the local cloud runs, where, which engine serves what, and its stacks."""
    _run(c, "status")


@task(name="reset", help={"stage": STAGE_HELP})
def reset(c: Context, stage: str = "") -> None:
    """Wipe every resource of the local cloud, then provision the stage again."""
    _run(c, "reset", f"--stage {_stage(c, stage)}")


@task(name="env")
def env(c: Context) -> None:
    """Print shell lines that point AWS tools at the local cloud: eval "$(invoke local.env)"."""
    _run(c, "env")


ns = Collection("local")
for _task in (up, down, status, reset, env):
    ns.add_task(_task)
