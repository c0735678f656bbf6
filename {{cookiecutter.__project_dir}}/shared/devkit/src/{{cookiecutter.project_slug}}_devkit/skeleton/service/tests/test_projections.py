"""The stream handler keeps the SQL projection and the search index: idempotent by id and
version, so replays and reordered records never move either backwards."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_data import Change, SearchProjection, SqlProjection
from {{ cookiecutter.project_slug }}_devkit.stream_records import deliver, record_values, stream_record

from chalicelib.read_sources import index_source

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

pytestmark = pytest.mark.integration
SERVICE = "__service__"


@pytest.fixture
def handler(client: Client, migrated: Engine) -> Client:
    """The deployed stream handler, wired to this test's stage, database and index."""
    return client


def _row(engine: Engine, record_id: str) -> Any:
    from {{ cookiecutter.project_slug }}_sql.projection import stored_record

    with engine.connect() as connection:
        return stored_record(connection, SERVICE, record_id)


def test_records_are_upserted_and_deletes_leave_a_tombstone(
    handler: Client, migrated: Engine
) -> None:
    deliver(handler, stream_record("INSERT", record_values("a", 1, {"title": "one"}), 100))
    deliver(handler, stream_record("MODIFY", record_values("a", 2, {"title": "two"}), 200))
    row = _row(migrated, "a")
    assert (row.version, row.data, row.deleted) == (2, {"title": "two"}, False)
    deliver(handler, stream_record("REMOVE", record_values("a", 2, {"title": "two"}), 300))
    row = _row(migrated, "a")
    assert (row.version, row.deleted) == (3, True)


def test_a_replayed_or_late_record_never_moves_a_row_backwards(
    handler: Client, migrated: Engine
) -> None:
    newer = stream_record("MODIFY", record_values("b", 3, {"title": "newest"}), 300)
    older = stream_record("INSERT", record_values("b", 1, {"title": "first"}), 100)
    removed = stream_record("REMOVE", record_values("b", 3, {"title": "newest"}), 400)
    deliver(handler, newer, older)
    assert _row(migrated, "b").data == {"title": "newest"}
    deliver(handler, removed, newer, older)
    row = _row(migrated, "b")
    assert (row.version, row.deleted) == (4, True)


def test_records_are_indexed_and_removed_from_search(
    handler: Client, settings: ServiceSettings
) -> None:
    index = index_source(settings)()
    assert index is not None
    values = record_values("c", 1, {"title": "Quiet harbour", "tags": ["boats"]})
    deliver(handler, stream_record("INSERT", values, 100))
    (hit,) = index.search("harbour").hits
    assert hit.id == "c"
    assert hit.highlights["title"] == ["Quiet <em>harbour</em>"]
    deliver(handler, stream_record("REMOVE", values, 200), stream_record("INSERT", values, 100))
    assert index.search("harbour").hits == []


def test_a_stage_without_database_or_search_skips_them_with_one_line() -> None:
    lines: list[str] = []
    change = Change("d", "INSERT", "1", "e1", "", new_image=None)
    for projection in (
        SqlProjection(SERVICE, lambda: None, lines.append),
        SearchProjection(SERVICE, lambda: None, lines.append),
    ):
        projection.apply(change)
        projection.apply(change)
    messages = [json.loads(line)["message"] for line in lines]
    assert messages == [
        "sql projection skipped: no database configured for this stage",
        "search projection skipped: no search engine configured for this stage",
    ]


@pytest.mark.postgres
def test_the_sql_projection_is_idempotent_on_postgresql(postgres_url: str) -> None:
    from {{ cookiecutter.project_slug }}_devkit.sql_databases import postgres_schema
    from {{ cookiecutter.project_slug }}_sql.migrate import upgrade

    def change(kind: str, version: int, sequence: int) -> Change:
        return Change.from_stream_record(
            stream_record(kind, record_values("p", version, {"n": "x"}), sequence)
        )

    with postgres_schema(postgres_url) as engine:
        upgrade(engine)
        projection = SqlProjection(SERVICE, lambda: engine, print)
        for step in (change("MODIFY", 2, 200), change("INSERT", 1, 100), change("MODIFY", 2, 200)):
            projection.apply(step)
        assert (_row(engine, "p").version, _row(engine, "p").deleted) == (2, False)
        projection.apply(change("REMOVE", 2, 300))
        projection.apply(change("INSERT", 1, 100))
        assert (_row(engine, "p").version, _row(engine, "p").deleted) == (3, True)
