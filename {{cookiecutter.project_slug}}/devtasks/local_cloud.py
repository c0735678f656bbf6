"""`invoke local.*`: the local cloud in the background, shared by tasks, tests and your shell."""

from __future__ import annotations

from invoke import Collection, Context, task

from .layout import ROOT, run_devkit
from .stages import checked_stage

STATE_DIR = ROOT / ".local-cloud"
STAGE_HELP = "Stage whose resources to provision (default: the first stage)"
PORT_HELP = "Port on 127.0.0.1 (default: local_cloud.port in invoke.yaml)"


def _run(c: Context, action: str, *options: str) -> None:
    state_dir = STATE_DIR.relative_to(ROOT)
    run_devkit(c, "local_cloud_cli", f"{action} --state-dir {state_dir} {' '.join(options)}")


def _stage(c: Context, stage: str) -> str:
    return checked_stage(c, stage or next(iter(c.config.stages)))


@task(name="up", help={"stage": STAGE_HELP, "port": PORT_HELP})
def up(c: Context, stage: str = "", port: int = 0) -> None:
    """Start the local cloud (moto) in the background and provision a stage from infra/."""
    stage = _stage(c, stage)
    _run(c, "up", f"--stage {stage}", f"--port {int(port or c.config.local_cloud.port)}")


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
