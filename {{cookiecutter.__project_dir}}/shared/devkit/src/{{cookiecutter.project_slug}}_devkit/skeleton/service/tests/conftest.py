from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.project_config import LocalUser
from {{ cookiecutter.project_slug }}_devkit.user_tokens import Tokens, new_user_tokens

from app import app
from chalicelib.composition import build_dependencies, dependencies

SERVICE = "__service__"


@pytest.fixture
def settings(stage_resources: StageResources, project: ProjectConfig) -> ServiceSettings:
    """The service's settings for this test's own stage on the local cloud."""
    return ServiceSettings(
        stage=stage_resources.stage,
        service=SERVICE,
        region=project.region,
        table_name=stage_resources.table_name(SERVICE),
        user_pool_id=stage_resources.outputs["UserPoolId"],
        user_pool_client_ids=stage_resources.outputs["UserPoolClientId"],
    )


@pytest.fixture
def client(settings: ServiceSettings) -> Iterator[Client]:
    """The app wired to this test's own stage on the local cloud."""
    with dependencies.override(build_dependencies(settings)), Client(app) as test_client:
        yield test_client


def _tokens(stage_resources: StageResources, project: ProjectConfig, *groups: str) -> Tokens:
    name = f"u{uuid.uuid4().hex[:8]}"
    return new_user_tokens(
        boto3.client("cognito-idp", region_name=project.region),
        stage_resources.outputs["UserPoolId"],
        stage_resources.outputs["UserPoolClientId"],
        LocalUser(name, f"{name}@example.com", groups),
    )


@pytest.fixture
def admin(stage_resources: StageResources, project: ProjectConfig) -> Tokens:
    """Tokens of a new user of the admins group, from the stage's local user pool."""
    return _tokens(stage_resources, project, "admins")


@pytest.fixture
def member(stage_resources: StageResources, project: ProjectConfig) -> Tokens:
    """Tokens of a new user in no group."""
    return _tokens(stage_resources, project)


@pytest.fixture
def headers(admin: Tokens) -> dict[str, str]:
    """JSON requests as the admin, with an access token."""
    return {"Content-Type": "application/json", "Authorization": f"Bearer {admin.access_token}"}
