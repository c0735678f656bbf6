"""`invoke dev`: every service on `chalice local`, on the local cloud (started if need be)."""

from __future__ import annotations

import os
import shlex
import sys

from invoke import Context, task
from invoke.exceptions import Exit

from .layout import require_venv, venv_bin
from .local_cloud import ENGINES, STATE_DIR
from .stages import checked_stage


@task(
    help={
        "stage": "Stage whose configuration the services get (default: the first stage)",
        "first_port": "Port of the first service; the others follow",
        "cloud_port": "Port of the local cloud when dev starts it (default: local_cloud.port)",
    }
)
def dev(c: Context, stage: str = "", first_port: int = 8001, cloud_port: int = 0) -> None:
    """Serve every service and its stream handlers on the local cloud; Ctrl-C stops all.

    With no local cloud running, starts one as `invoke local.up` does (engine
    local_cloud.engine) and stops it on exit; a running one is used and left running.
    """
    stage = checked_stage(c, stage or next(iter(c.config.stages)))
    engine = c.config.local_cloud.engine
    if engine not in ENGINES:
        raise Exit(f"Unknown engine {engine!r}; the engines are: {', '.join(ENGINES)}.", code=1)
    require_venv()
    command = [
        venv_bin("python"), "-m", f"{c.config.project.slug}_devkit.dev_server",
        "--stage", stage, "--state-dir", STATE_DIR, "--first-port", str(int(first_port)),
        "--engine", engine, "--cloud-port", str(int(cloud_port or c.config.local_cloud.port)),
        "--moto-port", str(int(c.config.local_cloud.moto_port)),
    ]  # fmt: skip
    print(shlex.join(command), flush=True)
    sys.stderr.flush()
    # The dev server takes this process's place: Ctrl-C and SIGTERM reach it directly,
    # with no task runner in between that would have to pass them on.
    os.execv(command[0], command)  # noqa: S606 (a fixed program, no shell)
