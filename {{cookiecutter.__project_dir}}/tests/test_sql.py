"""The SQL package on SQLite (always) and on PostgreSQL (`postgres`, TEST_DATABASE_URL): the
migrations go up and down cleanly and match the models; the projection's upsert never moves a
row backwards; the daily counts; the engine's settings; a light package import."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from {{ cookiecutter.project_slug }}_devkit.sql_databases import postgres_schema, sqlite_database
from {{ cookiecutter.project_slug }}_sql import (
    DatabaseNotConfigured,
    InvalidDatabaseUrl,
    RecordRow,
    database_url,
    redacted,
)
from {{ cookiecutter.project_slug }}_sql import migrate as migrations
from {{ cookiecutter.project_slug }}_sql.engine import dispose_engines, engine_for, get_engine
from {{ cookiecutter.project_slug }}_sql.projection import daily_counts, stored_record, upsert_record
from {{ cookiecutter.project_slug }}_sql.urls import checked_url

DAY = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of this test's own: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as made:
            yield made
    else:
        with postgres_schema(request.getfixturevalue("postgres_url")) as made:
            yield made


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    migrations.upgrade(engine)
    return engine


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def row(record_id: str, version: int, **changes: Any) -> RecordRow:
    values: dict[str, Any] = {
        "service": "notes",
        "id": record_id,
        "version": version,
        "created_at": DAY,
        "updated_at": DAY + datetime.timedelta(minutes=version),
        "data": {"title": f"v{version}"},
    }
    return RecordRow(**{**values, **changes})


def test_migrations_upgrade_downgrade_and_upgrade_again(engine: Engine) -> None:
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == migrations.head_revision()
    assert "records" in _tables(engine)
    migrations.downgrade(engine, "base")
    assert migrations.current_revision(engine) is None
    assert _tables(engine) <= {"alembic_version"}
    migrations.upgrade(engine)
    assert "records" in _tables(engine)


def test_the_models_and_the_migrations_agree(migrated: Engine) -> None:
    assert migrations.differences(migrated) == []
    migrations.check(migrated)


def test_a_model_without_its_migration_is_named(migrated: Engine) -> None:
    with migrated.begin() as connection:
        connection.execute(text("DROP INDEX ix_records_service_created_at"))
    with pytest.raises(migrations.SchemaDrift, match="ix_records_service_created_at"):
        migrations.check(migrated)


def test_a_replayed_or_older_version_never_moves_a_row_backwards(migrated: Engine) -> None:
    with migrated.begin() as connection:
        assert upsert_record(connection, row("a", 2))
        assert not upsert_record(connection, row("a", 2, data={"title": "replayed"}))
        assert not upsert_record(connection, row("a", 1))
        assert upsert_record(connection, row("a", 3))
        assert not upsert_record(connection, row("a", 2))
        stored = stored_record(connection, "notes", "a")
    assert stored == row("a", 3)


def test_a_delete_is_a_version_so_an_older_replay_cannot_resurrect(migrated: Engine) -> None:
    with migrated.begin() as connection:
        upsert_record(connection, row("a", 1))
        assert upsert_record(connection, row("a", 2, deleted=True))
        assert not upsert_record(connection, row("a", 1))
        stored = stored_record(connection, "notes", "a")
    assert stored is not None
    assert (stored.version, stored.deleted) == (2, True)


def test_rows_of_services_are_kept_apart(migrated: Engine) -> None:
    with migrated.begin() as connection:
        upsert_record(connection, row("a", 5))
        assert upsert_record(connection, row("a", 1, service="profiles"))
        assert stored_record(connection, "profiles", "a") == row("a", 1, service="profiles")
        assert stored_record(connection, "profiles", "missing") is None


def test_daily_counts_are_per_utc_day_of_creation(migrated: Engine) -> None:
    # 23:30 UTC on 1 March is 2 March in Tokyo: the day is UTC's, whatever zone wrote it.
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    with migrated.begin() as connection:
        upsert_record(connection, row("a", 1))
        upsert_record(connection, row("b", 1, created_at=DAY.astimezone(tokyo)))
        upsert_record(connection, row("c", 1, created_at=DAY + datetime.timedelta(hours=1)))
        upsert_record(connection, row("d", 1, deleted=True))
        upsert_record(connection, row("e", 1, service="profiles"))
        counts = daily_counts(connection, "notes")
        with_deleted = daily_counts(connection, "notes", include_deleted=True)
    assert [(count.day.isoformat(), count.count) for count in counts] == [
        ("2026-03-01", 2),
        ("2026-03-02", 1),
    ]
    assert with_deleted[0].count == 3


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        row("a", 1, created_at=datetime.datetime(2026, 1, 1))


def test_the_url_defaults_to_the_stages_sqlite_file_off_lambda() -> None:
    assert database_url({}, "dev") == "sqlite:///.local-cloud/dev.sqlite3"
    assert database_url({"APP_LOCAL_CLOUD_DIR": "/x"}, "dev") == "sqlite:////x/dev.sqlite3"
    configured = {"APP_DATABASE_URL": "postgresql://u:p@h/db"}
    assert database_url(configured, "dev") == "postgresql+pg8000://u:p@h/db"
    with pytest.raises(DatabaseNotConfigured, match="APP_DATABASE_URL is not set"):
        database_url({"AWS_LAMBDA_FUNCTION_NAME": "f"}, "dev")


@pytest.mark.parametrize("url", ["mysql://h/db", "postgresql+psycopg://h/db", "nonsense"])
def test_other_drivers_are_refused(url: str) -> None:
    with pytest.raises(InvalidDatabaseUrl, match="is not one of"):
        checked_url(url)


def test_a_printed_url_shows_no_password() -> None:
    # pragma: allowlist nextline secret (made-up credentials)
    assert redacted("postgresql+pg8000://app:s3cr%40t@h:5432/db") == (
        "postgresql+pg8000://app:***@h:5432/db"
    )


def test_one_engine_per_process_with_a_pool_sized_for_lambda(tmp_path: Path) -> None:
    # pragma: allowlist nextline secret (made-up credentials)
    url = "postgresql+pg8000://app:pw@proxy.example:5432/app?sslmode=require"
    try:
        engine = engine_for(url)
        assert engine_for(url) is engine
        assert engine.pool.size() == 1  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
        assert engine.pool._pre_ping
        assert "sslmode" not in engine.url.query
        environ = {"APP_STAGE": "dev", "APP_LOCAL_CLOUD_DIR": str(tmp_path)}
        local = get_engine(environ)
        assert local is get_engine(environ)
        assert local.url.database == str(tmp_path / "dev.sqlite3")
    finally:
        dispose_engines()


def test_importing_the_package_imports_no_sqlalchemy() -> None:
    # A fresh interpreter: this test module has imported SQLAlchemy already.
    package = "{{ cookiecutter.project_slug }}_sql"
    code = f"import sys, {package}; print([m for m in sys.modules if m.startswith('sqlalchemy')])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
