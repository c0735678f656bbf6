"""`invoke dev`: every service on `chalice local`, against the running local cloud."""

from __future__ import annotations

from invoke import Context, task

from .layout import run_devkit
from .local_cloud import STATE_DIR
from .stages import checked_stage


@task(
    help={
        "stage": "Stage whose configuration the services get (default: the first stage)",
        "first_port": "Port of the first service; the others follow",
    }
)
def dev(c: Context, stage: str = "", first_port: int = 8001) -> None:
    """Serve every service and its stream handlers on the local cloud (`invoke local.up` first)."""
    stage = checked_stage(c, stage or next(iter(c.config.stages)))
    run_devkit(
        c,
        "dev_server",
        f"--stage {stage} --state-dir {STATE_DIR} --first-port {int(first_port)}",
        echo=True,
    )
