"""`invoke dev`: every service on `chalice local`, on the local cloud (started if need be)."""

from __future__ import annotations

from invoke import Context, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit.dev_server import (
    CloudOptions,
    DevServerError,
    serve,
    stop_on_signals,
)

from .local_cloud import FAILURES, checked_engine, project_config, state_dir
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
    engine = checked_engine(c.config.local_cloud.engine)
    cloud = CloudOptions(
        engine, int(cloud_port or c.config.local_cloud.port), int(c.config.local_cloud.moto_port)
    )
    project = project_config()
    # Ctrl-C and SIGTERM reach this process, which serves until then and stops all it
    # started: the services, their stream delivery, the local cloud if it started it.
    with stop_on_signals():
        try:
            code = serve(project, stage, state_dir(), "127.0.0.1", int(first_port), cloud)
        except (DevServerError, *FAILURES) as error:
            raise Exit(f"invoke dev: {error}", code=1) from None
    if code:
        raise Exit(code=code)
