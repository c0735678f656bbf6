"""The SQL schema of every service, as SQLAlchemy 2 models; Alembic's migrations follow it.

`records` is each service's projection of its DynamoDB records: one row per
(service, id), holding the newest version seen. Rows are written only through
projection.upsert_record, which never lets a row move to an older version.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, MetaData, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Constraint names Alembic can find again on every engine (SQLite names none itself).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# JSONB on PostgreSQL (indexable, compact); JSON text elsewhere.
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime.datetime]):
    """An aware datetime, stored in UTC. SQLite keeps no offset, so one is never trusted to it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give it a timezone")
        utc = value.astimezone(datetime.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)


class Base(DeclarativeBase):
    """Base of every model; its metadata is what `alembic check` compares the database with."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Record(Base):
    """The newest version seen of one record of one service."""

    __tablename__ = "records"
    __table_args__ = (
        # daily_counts reads one service's rows by creation time.
        Index(None, "service", "created_at"),
    )

    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSON_DOCUMENT)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime())
    # A delete is a version too: the row stays, so an older replay cannot resurrect it.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
