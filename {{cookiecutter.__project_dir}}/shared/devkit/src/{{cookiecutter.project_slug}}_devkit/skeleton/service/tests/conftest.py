from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.contract_client import ContractClient
from {{ cookiecutter.project_slug }}_devkit.user_tokens import Tokens

from app import app
from chalicelib.composition import build_dependencies, dependencies
from chalicelib.read_sources import engine_source

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

SERVICE = "__service__"
OPENAPI = Path(__file__).resolve().parents[1] / "openapi.yaml"


@pytest.fixture
def table_services() -> list[str]:
    """`stage_tables` makes this service's table only."""
    return [SERVICE]


@pytest.fixture
def settings(
    stage_tables: StageResources,
    shared_stage: StageResources,
    project: ProjectConfig,
    tmp_path: Path,
) -> ServiceSettings:
    """The service's settings on the local cloud: this test's own table, the session's user
    pool, and a folder of its own for the SQLite database and search index."""
    return ServiceSettings(
        stage=stage_tables.stage,
        service=SERVICE,
        region=project.region,
        table_name=stage_tables.table_name(SERVICE),
        user_pool_id=shared_stage.outputs["UserPoolId"],
        user_pool_client_ids=shared_stage.outputs["UserPoolClientId"],
        sessions_table_name=shared_stage.outputs["SessionsTableName"],
        local_state_dir=str(tmp_path / "state"),
    )


@pytest.fixture
def migrated(settings: ServiceSettings) -> Iterator[Engine]:
    """The SQL projection's database of `settings`, migrated to head (this test's own file)."""
    from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines
    from {{ cookiecutter.project_slug }}_sql.migrate import upgrade

    engine = engine_source(settings)()
    assert engine is not None
    upgrade(engine)
    try:
        yield engine
    finally:
        dispose_engines()


@pytest.fixture
def contract_client() -> Callable[[], Client]:
    """Makes test clients of the app that check every response against openapi.yaml
    (ContractViolation when a handler drifts from it)."""
    return lambda: ContractClient(app, OPENAPI)


@pytest.fixture
def client(settings: ServiceSettings, contract_client: Callable[[], Client]) -> Iterator[Client]:
    """The app wired to this test's own stage on the local cloud, its responses checked."""
    with dependencies.override(build_dependencies(settings)), contract_client() as test_client:
        yield test_client


@pytest.fixture
def unchecked_client(settings: ServiceSettings) -> Iterator[Client]:
    """The app on this test's own stage through a plain test client: for tools that check
    each response themselves (schemathesis, Newman) and must get a drifting one as it is."""
    with dependencies.override(build_dependencies(settings)), Client(app) as test_client:
        yield test_client


@pytest.fixture
def admin(pool_user: Callable[..., Tokens]) -> Tokens:
    """Tokens of a new user of the admins group, from the session's local user pool."""
    return pool_user("admins")


@pytest.fixture
def member(pool_user: Callable[..., Tokens]) -> Tokens:
    """Tokens of a new user in no group."""
    return pool_user()


@pytest.fixture
def headers(admin: Tokens) -> dict[str, str]:
    """JSON requests as the admin, with an access token."""
    return {"Content-Type": "application/json", "Authorization": f"Bearer {admin.access_token}"}
