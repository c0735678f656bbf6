"""pytest fixtures for every test suite of the project (registered through an entry point).

Each pytest process gets its own emulator on a free port of 127.0.0.1, and each test
that asks for `stage_stack` gets its own stage name, hence its own stack and tables,
removed afterwards: tests can run in parallel and leave nothing behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest

from .local_cloud import LocalCloud, emulator_environment
from .project_config import ProjectConfig, load_project_config
from .stage_stack import StageStack, create_stage_stack, delete_stage_stack

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: talks to the local cloud")
    config.addinivalue_line("markers", "packaging: builds deployment packages (slow)")


@pytest.fixture(scope="session")
def project() -> ProjectConfig:
    """The project under test, read from its invoke.yaml."""
    return load_project_config()


@pytest.fixture(scope="session")
def local_cloud(project: ProjectConfig) -> Iterator[str]:
    """Start moto's server on 127.0.0.1 and point this process's boto3 at it.

    The environment is replaced for the whole session, so no test can fall through
    to credentials or endpoints of the machine it runs on.
    """
    cloud = LocalCloud()
    endpoint = cloud.start()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(emulator_environment(endpoint, project.region, base=saved))
    try:
        yield endpoint
    finally:
        os.environ.clear()
        os.environ.update(saved)
        cloud.stop()


@pytest.fixture
def stage_name() -> str:
    """A stage name no other test uses: `t` and 8 hex digits."""
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def stage_stack(local_cloud: str, project: ProjectConfig, stage_name: str) -> Iterator[StageStack]:
    """This test's own stage: the infra/stage.yaml stack on the local cloud, removed after."""
    region = project.region
    cloudformation: CloudFormationClient = boto3.client("cloudformation", region_name=region)
    dynamodb: DynamoDBClient = boto3.client("dynamodb", region_name=region)
    stack = create_stage_stack(project, stage_name, cloudformation, dynamodb)
    try:
        yield stack
    finally:
        delete_stage_stack(stack, cloudformation, dynamodb, delete_data=True)
