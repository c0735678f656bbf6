"""Plain values in and out of the projection: no SQLAlchemy, so callers can build them cheaply."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordRow:
    """One version of a service's record, as the projection stores it.

    A delete is a row too (`deleted=True`, with the version that deleted it), so a
    replayed older version arriving later cannot bring the record back.
    """

    service: str
    id: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    data: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False

    def __post_init__(self) -> None:
        # Naive datetimes would be read in whatever zone the database session uses.
        for name in ("created_at", "updated_at"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"RecordRow.{name} must be timezone-aware")


@dataclass(frozen=True)
class DayCount:
    """How many records of a service were created on one UTC day."""

    day: datetime.date
    count: int
