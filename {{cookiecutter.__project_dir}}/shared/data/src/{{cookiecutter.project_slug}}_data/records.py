"""The values the repository hands out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Record:
    """One stored JSON object with the bookkeeping the repository adds."""

    id: str
    data: dict[str, Any]
    version: int
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        """Return the record as the JSON object the APIs send."""
        return {
            "id": self.id,
            "data": self.data,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Page:
    """Some records, and the token that fetches the next ones (None on the last page)."""

    records: list[Record]
    next_token: str | None


@dataclass(frozen=True)
class BatchResult:
    """What a batch write stored, and the ids of the records it gave up on (in order)."""

    stored: list[Record]
    unprocessed: list[str]
