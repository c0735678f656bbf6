"""Databases of a test's own: a SQLite file, or a schema of its own on a PostgreSQL server.

Tests run in parallel processes against one server, so each gets a schema named for
it alone (`t` and 12 hex digits), on which its engine's connections set search_path;
the schema and everything in it are dropped afterwards.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@contextlib.contextmanager
def sqlite_database(folder: Path) -> Iterator[Engine]:
    """An engine of a new SQLite file in `folder`, disposed after."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}")
    try:
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def postgres_schema(url: str) -> Iterator[Engine]:
    """An engine whose connections work in a new schema of `url`'s database; dropped after."""
    from sqlalchemy import create_engine, event, text

    schema = f"t{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, poolclass=_null_pool())
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, pool_size=1, max_overflow=0)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f'SET search_path TO "{schema}"')
        cursor.close()

    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool
