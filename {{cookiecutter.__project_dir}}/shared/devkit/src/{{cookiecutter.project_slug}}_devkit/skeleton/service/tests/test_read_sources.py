"""Where the service finds its SQL database and search index on a deployed stage: from the
settings the stage's stack gives it (a secret's ARN and endpoints), never a password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from {{ cookiecutter.project_slug }}_config import ServiceSettings

from chalicelib.read_sources import engine_source, index_source

# pragma: allowlist nextline secret
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!cluster-1"


def _settings(secret_arn: str = "", host: str = "") -> ServiceSettings:
    return ServiceSettings(
        stage="dev",
        service="__service__",
        region="eu-west-1",
        table_name="t",
        database_secret_arn=secret_arn,
        database_host=host,
    )


@pytest.fixture(autouse=True)
def _no_engines_left() -> Iterator[None]:
    yield
    from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines

    dispose_engines()


def test_a_stage_with_sql_builds_its_engine_for_the_proxy_without_a_password() -> None:
    settings = _settings(SECRET_ARN, "proxy.example")
    engine = engine_source(settings)()
    assert engine is not None
    # Nothing connected yet: the credentials are read from the secret at the first query.
    assert (engine.url.host, engine.url.database) == ("proxy.example", "app")
    assert engine.url.password is None
    assert engine_source(settings)() is engine  # one engine per container


def test_a_deployed_stage_without_sql_or_search_has_neither() -> None:
    settings = _settings()
    assert engine_source(settings)() is None
    assert index_source(settings)() is None
