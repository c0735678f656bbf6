"""Writing the projection idempotently, and the one aggregate the services read from it.

upsert_record is safe to repeat and to receive out of order: a row only ever moves
to a higher version (INSERT ... ON CONFLICT DO UPDATE ... WHERE stored < new), on
PostgreSQL and on SQLite alike, in one statement, so concurrent consumers need no lock.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from sqlalchemy import Date, Select, cast, func, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from .models import Record
from .rows import DayCount, RecordRow

_KEY = ("service", "id")
# What a newer version replaces; created_at stays as first stored.
_UPDATED = ("version", "data", "updated_at", "deleted")


def upsert_record(connection: Connection, row: RecordRow) -> bool:
    """Store `row` unless the stored row is as new or newer; True if the row changed.

    The caller owns the transaction (`with engine.begin() as connection:`), so a batch
    of records can go in one.
    """
    statement = _insert(connection.dialect.name).values(**dataclasses.asdict(row))
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={name: excluded[name] for name in _UPDATED},
        where=Record.__table__.c.version < excluded.version,
    )
    return bool(connection.execute(statement).rowcount)


def stored_record(connection: Connection, service: str, record_id: str) -> RecordRow | None:
    """The row of (service, id), deleted or not; None if never stored."""
    found = connection.execute(
        select(Record.__table__).where(Record.service == service, Record.id == record_id)
    ).one_or_none()
    return None if found is None else RecordRow(**found._mapping)


def daily_counts(
    connection: Connection, service: str, include_deleted: bool = False
) -> list[DayCount]:
    """How many of `service`'s records were created on each UTC day, oldest day first."""
    day = _utc_day(connection.dialect.name)
    query: Select[Any] = (
        select(day.label("day"), func.count().label("count"))
        .where(Record.service == service)
        .group_by(day)
        .order_by(day)
    )
    if not include_deleted:
        query = query.where(Record.deleted.is_(False))
    return [DayCount(_as_date(day_value), count) for day_value, count in connection.execute(query)]


def _insert(dialect: str) -> Any:
    # Both dialects spell the upsert the same way but are distinct constructs.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(Record)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(Record)
    raise NotImplementedError(f"no idempotent upsert for the {dialect} dialect")


def _utc_day(dialect: str) -> ColumnElement[Any]:
    created = Record.__table__.c.created_at
    if dialect == "postgresql":
        # timestamptz -> the UTC wall clock -> its date, whatever the session's TimeZone.
        # A literal, not a parameter: GROUP BY must repeat the very same expression.
        return cast(func.timezone(literal_column("'UTC'"), created), Date)
    # SQLite stores UTC text; CAST(... AS DATE) would give a number, date() gives YYYY-MM-DD.
    return func.date(created)


def _as_date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
