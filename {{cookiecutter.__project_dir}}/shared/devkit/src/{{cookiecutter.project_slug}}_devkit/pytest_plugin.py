"""pytest fixtures for every test suite of the project (registered through an entry point).

By default each pytest process starts its own moto server on a free port of
127.0.0.1. With `--local-cloud-state DIR` (what `invoke test --engine localstack`
passes) the session uses the local cloud recorded there instead, and stops at
once if it does not answer. Either way the session's environment is replaced
before any test runs, so no test can reach AWS with the machine's credentials.
Each test that asks for `stage_resources` gets its own stage name, hence its own
tables and user pool, removed afterwards: tests can run in parallel.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from .local_cloud import LocalCloud, LocalEndpoints, emulator_environment
from .local_cloud_state import LocalCloudNotRunning, require_running
from .project_config import ProjectConfig, load_project_config
from .stage_resources import ClientFactory, StageResources, provision_stage, remove_stage

# Where boto3 goes before a test asks for the local cloud: a closed local port.
NOWHERE = "http://127.0.0.1:9"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--local-cloud-state",
        default="",
        help="state folder of a running `invoke local.up` to test against (default: own moto)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: talks to the local cloud")
    config.addinivalue_line("markers", "packaging: builds deployment packages (slow)")
    # Before collection imports anything that could build a client at import time:
    # until a test asks for the local cloud, boto3 reaches a closed local port.
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    scrubbed = emulator_environment(NOWHERE, region)
    os.environ.clear()
    os.environ.update(scrubbed)
    state_dir = config.getoption("--local-cloud-state")
    if state_dir:
        try:
            require_running(Path(state_dir))
        except LocalCloudNotRunning as error:
            pytest.exit(f"--local-cloud-state {state_dir}: {error}", returncode=4)


@pytest.fixture(scope="session")
def project() -> ProjectConfig:
    """The project under test, read from its invoke.yaml."""
    return load_project_config()


@pytest.fixture(scope="session")
def local_endpoints(
    request: pytest.FixtureRequest, project: ProjectConfig
) -> Iterator[LocalEndpoints]:
    """The local cloud of this session, with this process's boto3 pointed at it.

    The environment is replaced for the whole session, so no test can fall through
    to credentials or endpoints of the machine it runs on.
    """
    state_dir = request.config.getoption("--local-cloud-state")
    cloud = None
    if state_dir:
        endpoints = require_running(Path(state_dir)).endpoints
    else:
        cloud = LocalCloud()
        endpoints = LocalEndpoints(cloud.start())
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(endpoints.environment(project.region, base=saved))
    try:
        yield endpoints
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if cloud is not None:
            cloud.stop()


@pytest.fixture(scope="session")
def local_cloud(local_endpoints: LocalEndpoints) -> str:
    """The local cloud's main endpoint URL (boto3 in this process already points at it)."""
    return local_endpoints.default


@pytest.fixture
def stage_name() -> str:
    """A stage name no other test uses: `t` and 8 hex digits."""
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def aws_clients(local_endpoints: LocalEndpoints, project: ProjectConfig) -> ClientFactory:
    """Makes a boto3 client of the session's local cloud, in the project's region."""

    def client(service: str) -> Any:
        return boto3.client(service, region_name=project.region)  # type: ignore[call-overload]

    return client


@pytest.fixture
def stage_resources(
    aws_clients: ClientFactory, project: ProjectConfig, stage_name: str
) -> Iterator[StageResources]:
    """This test's own stage: infra/stage.yaml's resources on the local cloud, removed after."""
    resources = provision_stage(project, stage_name, aws_clients)
    try:
        yield resources
    finally:
        remove_stage(project, resources, aws_clients, delete_data=True)
