"""`invoke dev`: every service on `chalice local`, against the embedded local cloud."""

from __future__ import annotations

from invoke import Context, task

from .layout import run_devkit
from .stages import checked_stage


@task(
    help={
        "stage": "Stage whose configuration the services get (default: the first stage)",
        "cloud_port": "Port of the local cloud on 127.0.0.1",
        "first_port": "Port of the first service; the others follow",
    }
)
def dev(c: Context, stage: str = "", cloud_port: int = 5000, first_port: int = 8001) -> None:
    """Serve every service locally on the emulator and print their URLs; Ctrl-C stops all."""
    stage = checked_stage(c, stage or next(iter(c.config.stages)))
    run_devkit(
        c,
        "dev_server",
        f"--stage {stage} --cloud-port {int(cloud_port)} --first-port {int(first_port)}",
        echo=True,
    )
