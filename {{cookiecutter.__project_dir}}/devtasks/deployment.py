"""`invoke deploy` and `invoke teardown`: a whole stage, on AWS or on the local cloud.

The target follows boto3's endpoint variables: with those of `invoke local.env` it
is the local cloud, without them AWS and your credentials.
"""

from __future__ import annotations

from invoke import Context, task
from invoke.exceptions import Exit

from .layout import BUILD, checked_services, run_devkit
from .packaging import package
from .stages import checked_stage, is_protected


@task(
    help={
        "stage": "Stage to deploy (see invoke.yaml)",
        "service": "Only this service (default: all); the stage's stack is deployed either way",
        "confirm": "Required for a protected stage",
    }
)
def deploy(c: Context, stage: str, service: str = "", confirm: bool = False) -> None:
    """Deploy a stage: its secrets, its stack, then each service behind its `live` alias."""
    stage = checked_stage(c, stage)
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to deploy it.", code=1)
    services = checked_services(service)
    # Packaging fetches the stage's secrets first and stops when that fails.
    package(c, stage=stage, service=service)
    options = " ".join(f"--service {name}" for name in services) if service else ""
    run_devkit(c, "deploy_cli", f"deploy --stage {stage} --build-dir {BUILD / stage} {options}")


@task(
    help={
        "stage": "Stage to remove (see invoke.yaml)",
        "service": "Only this service's functions and API; the stage's stack stays",
        "delete_data": "Also delete the stage's tables, user pool and secret (kept by default)",
        "confirm": "Required for a protected stage",
    }
)
def teardown(c: Context, stage: str, service: str = "", delete_data: bool = False,
             confirm: bool = False) -> None:  # fmt: skip
    """Remove a stage's services and stack; its data stays unless --delete-data."""
    stage = checked_stage(c, stage)
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to tear it down.", code=1)
    services = checked_services(service)
    options = [f"--service {name}" for name in services] if service else []
    if delete_data:
        options.append("--delete-data")
    run_devkit(c, "deploy_cli", " ".join(["teardown", f"--stage {stage}", *options]))
