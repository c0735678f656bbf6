"""The SQL projection: each record's newest version as a row of the `records` table.

SQLAlchemy is imported at the first change applied, not with this module: a cold start
that handles only HTTP requests never loads it (invoke.yaml `cold_start`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .changes import Change, SkipReport
from .images import projected_record

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Returns the stage's engine, made at first use; None when the stage has no database.
EngineSource = Callable[[], "Engine | None"]


class SqlProjection:
    """Upserts each change's record version (tombstones for removals), idempotently.

    `{{ cookiecutter.project_slug }}_sql.projection.upsert_record` keeps a row at its highest version, so a
    retried, replayed or reordered change never moves a row backwards.
    """

    name = "sql"

    def __init__(self, service: str, engine: EngineSource, emit: Callable[[str], None]) -> None:
        self._service = service
        self._engine = engine
        self._report_skip = SkipReport("sql", service, emit)

    def apply(self, change: Change) -> None:
        engine = self._engine()
        if engine is None:
            self._report_skip("no database configured for this stage")
            return
        record = projected_record(change)
        if record is None:
            self._report_skip("a change without the record's images")
            return
        from {{ cookiecutter.project_slug }}_sql import RecordRow
        from {{ cookiecutter.project_slug }}_sql.projection import upsert_record

        row = RecordRow(
            service=self._service,
            id=record.id,
            version=record.version,
            created_at=record.created_at,
            updated_at=record.updated_at,
            data=record.data,
            deleted=record.deleted,
        )
        with engine.begin() as connection:
            upsert_record(connection, row)
