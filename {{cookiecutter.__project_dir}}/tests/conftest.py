from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from invoke import Config

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.pytest_plugin import stage_secret
from {{ cookiecutter.project_slug }}_devkit.stage_resources import (
    ClientFactory,
    locate_stage,
    provision_stage,
    remove_stage,
)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Modules whose every test starts processes of its own (`invoke dev`, a local cloud,
# `invoke auth.token`), so `invoke test --fast` leaves them out. A module's own `pytestmark`
# says the same; this list is for modules that do not (yet).
SLOW_MODULES = {"test_dev_server.py", "test_auth_users.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def invoke_config() -> Config:
    """The configuration `invoke` gives the tasks in this project (invoke.yaml included)."""
    config = Config(project_location=ROOT)
    config.load_project()
    return config


@pytest.fixture(scope="session")
def run_package(project: ProjectConfig) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs `invoke package` for the first stage into a folder, as developers run it."""
    stage = next(iter(project.stages))

    def run(out: Path, **options: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "invoke"), "package", "--stage", stage, "--output-dir", str(out)],
            cwd=project.root,
            capture_output=True,
            text=True,
            check=False,
            **options,
        )

    return run


@pytest.fixture(scope="session")
def package_secret_value() -> str:
    """A secret of the packaged stage, unique per run so a leak cannot be a coincidence."""
    return f"package-secret-{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def packaged(
    tmp_path_factory: pytest.TempPathFactory,
    project: ProjectConfig,
    local_cloud: str,
    run_package: Callable[..., subprocess.CompletedProcess[str]],
    package_secret_value: str,
) -> Path:
    """Every service packaged for the first stage (build/<stage>/), once per test process."""
    stage = next(iter(project.stages))
    secrets = boto3.client("secretsmanager", region_name=project.stages[stage].region)
    name = f"{project.prefix}/{stage}"
    out = tmp_path_factory.mktemp("build")
    with stage_secret(secrets, name, {"PROBE_TOKEN": package_secret_value}):
        result = run_package(out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert package_secret_value not in result.stdout + result.stderr
    return out / stage


@pytest.fixture
def torn_down_stage(
    project: ProjectConfig, aws_clients: ClientFactory, stage_name: str
) -> Iterator[StageResources]:
    """A stage provisioned, then torn down keeping its data, as `teardown` leaves it.

    Yields what was built; whatever is left afterwards is removed, data included.
    """
    resources = provision_stage(project, stage_name, aws_clients)
    try:
        remove_stage(project, resources, aws_clients, delete_data=False)
        yield resources
    finally:
        left = locate_stage(project, stage_name, aws_clients)
        remove_stage(project, left, aws_clients, delete_data=True)
