"""`invoke package`: one deployment zip per service, with the shared packages vendored in."""

from __future__ import annotations

import shutil
from pathlib import Path

from invoke import Context, task

from .layout import (
    BUILD,
    ROOT,
    RUNTIME_SHARED_PACKAGES,
    SERVICES,
    checked_services,
    require_venv,
    run_devkit,
    venv_bin,
)
from .secrets import run_secrets_cli
from .stages import checked_stage, stage_region

# What Chalice ships of a service; its tests, openapi.yaml and caches stay behind.
SERVICE_FILES = ("app.py", "chalicelib", ".chalice/config.json", "requirements.txt")


@task(
    help={
        "stage": "Stage whose configuration the packages get (see invoke.yaml)",
        "service": "Only this service (default: all)",
        "output_dir": "Where to write <stage>/<service>/ (default: build/)",
        "report": "Then print each zip's size and cold import time beside a bare Chalice app",
    }
)
def package(
    c: Context, stage: str, service: str = "", output_dir: str = "", report: bool = False
) -> None:
    """Write each service's deployment.zip and CloudFormation template for a stage.

    The stage's secrets are fetched first, and packaging stops if that fails. They
    reach the functions as environment variables of the template, never as a file
    in the bundle.
    """
    stage = checked_stage(c, stage)
    require_venv()
    out = Path(output_dir).resolve() if output_dir else BUILD
    services = checked_services(service)
    env_file = out / stage / f".env.{stage}"
    env_file.parent.mkdir(parents=True, exist_ok=True)
    print(f"== {stage}: fetching the stage's secrets")
    run_secrets_cli(c, "fetch", stage, "--env-file", str(env_file))
    # Chalice caches the built third-party dependencies under .chalice/deployments,
    # keyed by requirements and runtime; sharing it spares each service a download.
    dependency_cache = out / ".chalice-deployments"
    dependency_cache.mkdir(parents=True, exist_ok=True)
    for name in services:
        target = out / stage / name
        source = stage_sources(name, target / "src")
        (source / ".chalice" / "deployments").symlink_to(dependency_cache)
        config = source / ".chalice" / "config.json"
        run_secrets_cli(
            c, "into-chalice-config", stage, "--env-file", str(env_file),
            "--config", str(config), "--stage", stage,
        )  # fmt: skip
        vendor = source / "vendor"
        packages = " ".join(f"shared/{package}" for package in RUNTIME_SHARED_PACKAGES)
        print(f"== {name}: vendoring {', '.join(RUNTIME_SHARED_PACKAGES)}")
        c.run(
            f"{venv_bin('uv')} pip install --quiet --python {venv_bin('python')} "
            f"--no-deps --target {vendor} {packages}"
        )
        # The install record names this machine's paths; the bundle has no use for it.
        for record in vendor.glob("*.dist-info/direct_url.json"):
            record.unlink()
        print(f"== {name}: chalice package --stage {stage}")
        with c.cd(str(source)):
            c.run(
                f"{ROOT / venv_bin('chalice')} package --stage {stage} {target / 'package'}",
                env={"AWS_DEFAULT_REGION": stage_region(c, stage)},
            )
        # The template carries the secrets as environment variables: owner only.
        for packaged in (target / "package").iterdir():
            packaged.chmod(0o600)
        archive = target / "package" / "deployment.zip"
        print(f"{name}: {archive} ({archive.stat().st_size / 1024:.0f} KiB)")
    if report:
        print(f"== report: cold imports of {', '.join(services)} and of a bare Chalice app")
        run_devkit(c, "package_report", f"--stage-dir {out / stage}")


def stage_sources(service: str, destination: Path) -> Path:
    """Copy what Chalice packages of `service` to `destination`, replacing what was there.

    Packaging from a copy keeps vendor/ out of the source tree and lets two stages
    or two test runs package at the same time.
    """
    if destination.exists():
        shutil.rmtree(destination)
    origin = SERVICES / service
    for relative in SERVICE_FILES:
        source, copy = origin / relative, destination / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy)
    for policy in origin.glob(".chalice/policy-*.json"):
        shutil.copy2(policy, destination / ".chalice" / policy.name)
    return destination
