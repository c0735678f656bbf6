"""pytest fixtures for every test suite of the project (registered through an entry point).

By default each pytest process starts its own moto server on a free port of
127.0.0.1. With `--local-cloud-state DIR` (what `invoke test --engine localstack`
passes) the session uses the local cloud recorded there instead, and stops at
once if it does not answer. Either way the session's environment is replaced
before any test runs, so no test can reach AWS with the machine's credentials.
Every test gets names of its own, hence resources of its own, removed afterwards:
tests can run in parallel. Building a whole stage takes most of a second, so:

- `shared_stage`: one whole stage per pytest process, made once. Tests only read
  it (user pool, app client, groups, topic, log groups, alarm, secret) and add
  only what they name themselves: users, through `pool_user`.
- `stage_tables`: this test's own tables (of `table_services`), under its own
  stage name. What a test writes goes there.
- `stage_resources`: a whole stage of this test's own, for tests of the stage
  itself or that change a shared part of it.

Markers: `integration` (talks to the local cloud), `packaging` (builds deployment
packages) and `slow` (starts servers or tools of its own, deploys, or waits on real
time); `invoke test --fast` leaves out the last two. `postgres` tests run against the
PostgreSQL server of TEST_DATABASE_URL; without it they fail under CI (the `CI`
variable set) and are skipped, saying why, anywhere else: CI never skips them silently.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from .local_cloud import LocalCloud, LocalEndpoints, emulator_environment
from .local_cloud_state import LocalCloudNotRunning, require_running
from .local_users import create_user, made_up_password
from .project_config import LocalUser, ProjectConfig, load_project_config
from .stage_resources import (
    ClientFactory,
    StageResources,
    provision_stage,
    provision_tables,
    remove_stage,
)

if TYPE_CHECKING:
    from .user_tokens import Tokens

# Where boto3 goes before a test asks for the local cloud: a closed local port.
NOWHERE = "http://127.0.0.1:9"
# The PostgreSQL server of `postgres` tests, e.g. postgresql://postgres@127.0.0.1:5432/test.
TEST_DATABASE_VARIABLE = "TEST_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--local-cloud-state",
        default="",
        help="state folder of a running `invoke local.up` to test against (default: own moto)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: talks to the local cloud")
    config.addinivalue_line("markers", "packaging: builds deployment packages (slow)")
    config.addinivalue_line(
        "markers", "slow: starts servers or tools of its own, deploys, or waits on real time"
    )
    config.addinivalue_line(
        "markers", f"postgres: runs against the PostgreSQL server of {TEST_DATABASE_VARIABLE}"
    )
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


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") is None or os.environ.get(TEST_DATABASE_VARIABLE):
        return
    reason = f"{TEST_DATABASE_VARIABLE} is not set (a PostgreSQL server for `postgres` tests)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run them", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> str:
    """The URL of TEST_DATABASE_URL's server, with pg8000 as the driver (`postgres` tests)."""
    from {{ cookiecutter.project_slug }}_sql.urls import checked_url

    return checked_url(os.environ[TEST_DATABASE_VARIABLE])


@contextlib.contextmanager
def stage_secret(client: Any, name: str, values: dict[str, str]) -> Iterator[None]:
    """A stage's secret holding `values` for the block; afterwards as it was before.

    Its name is the stage's, fixed, and the test processes of a run share one
    LocalStack: one holder at a time per project and name, or two processes
    packaging the same stage collide on CreateSecret. A test that provisions the
    stage (`invoke dev`'s) makes the secret as the stage's resource: then its value
    is swapped for the block and put back, not deleted.
    """
    key = hashlib.sha256(f"{Path.cwd()} {name}".encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"stage-secret-{key}.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        try:
            client.create_secret(Name=name, SecretString=json.dumps(values))
            previous = None
        except client.exceptions.ResourceExistsException:
            previous = client.get_secret_value(SecretId=name)["SecretString"]
            client.put_secret_value(SecretId=name, SecretString=json.dumps(values))
        try:
            yield
        finally:
            if previous is None:
                client.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
            else:
                client.put_secret_value(SecretId=name, SecretString=previous)


class ManualClock:
    """Epoch seconds that a test moves on by hand: hand it where a clock is injected."""

    def __init__(self, start: float = 1_900_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock of this test's own, at a fixed start (2030-03-17)."""
    return ManualClock()


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
    """Hands out a boto3 client of the session's local cloud, in the project's region (one per
    AWS service: making a client costs more than most calls)."""

    @functools.cache
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


@pytest.fixture(scope="session")
def shared_stage(aws_clients: ClientFactory, project: ProjectConfig) -> Iterator[StageResources]:
    """One whole stage of this pytest process, made at first use and removed at the end.

    Read-only to tests: its user pool, app client and groups, identity pool, topic,
    log groups and alarm. A test adds only what it names itself (`pool_user`) and
    writes to tables of its own (`stage_tables`); a test that changes a shared part
    asks for `stage_resources` instead.
    """
    resources = provision_stage(project, f"s{uuid.uuid4().hex[:8]}", aws_clients)
    try:
        yield resources
    finally:
        remove_stage(project, resources, aws_clients, delete_data=True)


@pytest.fixture
def table_services(project: ProjectConfig) -> list[str]:
    """Whose tables `stage_tables` makes: every service's. A service's conftest.py overrides
    this fixture with its own name, to make only its table."""
    return project.services


@pytest.fixture
def stage_tables(
    aws_clients: ClientFactory, project: ProjectConfig, stage_name: str, table_services: list[str]
) -> Iterator[StageResources]:
    """This test's own tables: infra/stage.yaml's tables of `table_services` under this test's
    stage name, removed after. `.table_name(service)` and the outputs name them."""
    tables = provision_tables(project, stage_name, aws_clients, table_services)
    try:
        yield tables
    finally:
        remove_stage(project, tables, aws_clients, delete_data=True)


@pytest.fixture
def pool_user(
    aws_clients: ClientFactory, shared_stage: StageResources
) -> Iterator[Callable[..., Tokens]]:
    """Makes a user of the shared stage's pool, named for this test only, and signs them in:
    `pool_user("admins")` returns the tokens of a new admin. Removed after the test."""
    from .user_tokens import sign_in  # joserfc: only where tokens are made

    cognito = aws_clients("cognito-idp")
    pool_id = shared_stage.outputs["UserPoolId"]
    client_id = shared_stage.outputs["UserPoolClientId"]
    made: list[str] = []

    def make(*groups: str) -> Tokens:
        name, password = f"u{uuid.uuid4().hex[:8]}", made_up_password()
        made.append(name)
        create_user(cognito, pool_id, LocalUser(name, f"{name}@example.com", groups), password)
        return sign_in(cognito, client_id, name, password)

    try:
        yield make
    finally:
        for name in made:
            with contextlib.suppress(cognito.exceptions.UserNotFoundException):
                cognito.admin_delete_user(UserPoolId=pool_id, Username=name)
