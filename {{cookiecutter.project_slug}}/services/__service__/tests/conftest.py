from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources

from app import app
from chalicelib.composition import build_dependencies, dependencies

SERVICE = "__service__"


@pytest.fixture
def client(stage_resources: StageResources, project: ProjectConfig) -> Iterator[Client]:
    """The app wired to this test's own stage on the local cloud."""
    settings = ServiceSettings(
        stage=stage_resources.stage,
        service=SERVICE,
        region=project.region,
        table_name=stage_resources.table_name(SERVICE),
    )
    with dependencies.override(build_dependencies(settings)), Client(app) as test_client:
        yield test_client
