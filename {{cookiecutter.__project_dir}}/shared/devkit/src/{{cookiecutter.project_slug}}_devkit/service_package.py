"""A service packaged for a stage: Chalice's deployment.zip and its SAM template, ready to deploy.

Chalice ships `app.py`, `chalicelib/`, the `requirements.txt` dependencies and whatever
is in `vendor/`, so packaging works on a copy of the service (build/<stage>/<service>/src)
with the runtime shared packages installed into its vendor/. `chalice package
--merge-template` then writes the SAM template with the stage's release settings
merged in (sam_template.release_template), and only what a merge cannot say is
changed afterwards: integrations and permissions onto the alias, the stream ARN and
the stream's on-failure queue imported from the stage stack, the function roles' grants
on the stage's database secret and search collection (sam_template.with_data_tier),
library parts no service imports left out of the zip (bundle_slimming.py), and
bytecode for the runtime's Python added to it (bundle_bytecode.py: Lambda cannot
write it, so a zip without it compiles on every cold start).

Secret values never reach the template: each key of the stage's secret becomes a
CloudFormation dynamic reference to the version read at packaging time, resolved by
CloudFormation when it deploys, so a changed secret makes a new version of the functions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bundle_bytecode import add_bytecode, running_python
from .bundle_slimming import drop_unshipped
from .cfn_template import failure_queue_output_key, stream_output_key
from .project_config import ProjectConfig, StageConfig
from .sam_template import (
    bind_to_alias,
    export_name,
    import_stage_values,
    release_template,
    with_data_tier,
    with_stream_failure_handling,
)

# What Chalice ships of a service; its tests, openapi.yaml and caches stay behind.
SERVICE_FILES = ("app.py", "chalicelib", ".chalice/config.json", "requirements.txt")
# Packages each bundle gets in vendor/; the devkit is for development only.
RUNTIME_SHARED_PACKAGES = ("config", "data", "auth", "observability", "sql", "search")
STREAM_VARIABLE = "APP_TABLE_STREAM_ARN"


class PackagingError(Exception):
    """A service cannot be packaged; the message says why and holds no secret value."""


@dataclass(frozen=True)
class SecretReference:
    """Which keys the stage's secret holds, and the version to resolve them from."""

    secret_id: str
    keys: tuple[str, ...]
    version_id: str

    def environment(self) -> dict[str, str]:
        """One environment variable per key, as a dynamic reference CloudFormation resolves."""
        version = f"::{self.version_id}" if self.version_id else ""
        # Concatenated: the project template's renderer reads doubled braces as its own.
        return {
            key: "{"
            + "{resolve:secretsmanager:"
            + f"{self.secret_id}:SecretString:{key}{version}"
            + "}"
            + "}"
            for key in self.keys
        }


@dataclass(frozen=True)
class ServicePackage:
    """Where one packaged service is: its zip and its SAM template."""

    service: str
    folder: Path

    @property
    def archive(self) -> Path:
        """Chalice's deployment.zip."""
        return self.folder / "deployment.zip"

    @property
    def template_path(self) -> Path:
        """The SAM template, bound to the alias."""
        return self.folder / "sam.json"

    def template(self) -> dict[str, Any]:
        """The SAM template, parsed."""
        loaded: dict[str, Any] = json.loads(self.template_path.read_text(encoding="utf-8"))
        return loaded


def stream_placeholder(project: ProjectConfig, stage: StageConfig, service: str) -> str:
    """The stream ARN Chalice gets while packaging; the stack imports the real one instead."""
    table = project.table_name(stage.name, service)
    return f"arn:aws:dynamodb:{stage.region}:000000000000:table/{table}/stream/from-stage-stack"


def package_service(
    project: ProjectConfig,
    stage: StageConfig,
    service: str,
    out: Path,
    secret: SecretReference | None,
    progress: Any = print,
) -> ServicePackage:
    """Package `service` for `stage` under `out/<stage>/<service>/`; return where it is."""
    target = out / stage.name / service
    source = stage_sources(project, service, target / "src")
    # Chalice caches built third-party dependencies in .chalice/deployments, keyed by
    # requirements and runtime; one cache for every service spares each a download.
    cache = out / ".chalice-deployments"
    cache.mkdir(parents=True, exist_ok=True)
    (source / ".chalice" / "deployments").symlink_to(cache.resolve())
    _add_environment(source / ".chalice" / "config.json", stage.name, secret)
    progress(f"{service}: vendoring {', '.join(RUNTIME_SHARED_PACKAGES)}")
    _vendor(project, source / "vendor")
    merge = target / "release-template.json"
    stack = project.stack_name(stage.name)
    merge.write_text(
        json.dumps(release_template(project.prefix, service, stage, stack), indent=2),
        encoding="utf-8",
    )
    folder = target / "package"
    if folder.exists():
        shutil.rmtree(folder)
    placeholder = stream_placeholder(project, stage, service)
    progress(f"{service}: chalice package --stage {stage.name} --merge-template {merge.name}")
    packaged = subprocess.run(
        [str(Path(sys.executable).with_name("chalice")), "package", "--stage", stage.name,
         "--merge-template", str(merge), str(folder)],
        cwd=source,
        env={**os.environ, "AWS_DEFAULT_REGION": stage.region, STREAM_VARIABLE: placeholder},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if packaged.returncode != 0:
        last = (packaged.stderr.strip().splitlines() or ["no output"])[-1]
        raise PackagingError(f"chalice package failed for {service}: {last}")
    package = ServicePackage(service, folder)
    dropped = drop_unshipped(package.archive)
    progress(f"{service}: {dropped / 1024:.0f} KiB of library parts no service imports left out")
    compiled = add_bytecode(package.archive, project.python)
    progress(
        f"{service}: {compiled} modules compiled for Python {project.python}"
        if compiled
        else f"{service}: no bytecode added: packaging runs Python {running_python()}, "
        f"the runtime is {project.python}"
    )
    stream = export_name(stack, stream_output_key(service))
    failures = {"Fn::ImportValue": export_name(stack, failure_queue_output_key(service))}
    template = import_stage_values(
        with_stream_failure_handling(bind_to_alias(package.template()), failures),
        placeholder,
        stream,
    )
    template = with_data_tier(template, project.prefix, service, stage, stack)
    package.template_path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    progress(f"{service}: {package.archive} ({package.archive.stat().st_size / 1024:.0f} KiB)")
    return package


def stage_sources(project: ProjectConfig, service: str, destination: Path) -> Path:
    """Copy what Chalice packages of `service` to `destination`, replacing what was there.

    Packaging from a copy keeps vendor/ out of the source tree and lets two stages
    or two test runs package at the same time.
    """
    if destination.exists():
        shutil.rmtree(destination)
    origin = project.root / "services" / service
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


def _add_environment(config_path: Path, stage: str, secret: SecretReference | None) -> None:
    """Add the secret's references to the stage's environment in the packaging copy."""
    if secret is None or not secret.keys:
        return
    config = json.loads(config_path.read_text(encoding="utf-8"))
    environment = config["stages"][stage].setdefault("environment_variables", {})
    clashes = sorted(set(secret.keys) & environment.keys())
    if clashes:
        raise PackagingError(f"secrets would replace stage settings: {', '.join(clashes)}")
    environment.update(secret.environment())
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _vendor(project: ProjectConfig, vendor: Path) -> None:
    """Copy the runtime shared packages' modules into vendor/, as Lambda imports them.

    They are pure Python in src layouts: their modules are the whole of what a bundle
    needs (building wheels for each service cost seconds apiece).
    """
    for name in RUNTIME_SHARED_PACKAGES:
        for module in (project.root / "shared" / name / "src").iterdir():
            if module.is_dir() and module.name.isidentifier():
                shutil.copytree(
                    module, vendor / module.name, ignore=shutil.ignore_patterns("__pycache__")
                )
