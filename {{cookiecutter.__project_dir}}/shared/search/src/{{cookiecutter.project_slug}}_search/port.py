"""The search port: what a service asks of a full-text index, whatever engine holds it.

Documents are flat: an id, a version, and named text fields. Writes are ordered by
version, not by arrival, so a stream consumer can replay or reorder records safely:
an older version never replaces a newer one, and a removal leaves its version
behind so a late copy of an older record cannot bring the document back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# Bounds every engine enforces the same way, so a query means the same on each.
MAX_PAGE_SIZE = 100
MAX_FIELD_NAME = 128


@dataclass(frozen=True)
class Hit:
    """One matching document: its score (higher is better) and, per field, fragments of
    text with each match wrapped in <em>...</em> (the rest HTML-escaped)."""

    id: str
    score: float
    highlights: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchPage:
    """A page of hits, best first; `next_token` fetches the next page, None on the last."""

    hits: list[Hit]
    next_token: str | None = None


class SearchIndex(Protocol):
    """A full-text index of one service in one stage."""

    def index(self, doc_id: str, version: int, fields: dict[str, str]) -> bool:
        """Store `fields` as document `doc_id` at `version`, unless the index already holds
        this or a newer version of it (or its removal). Returns whether it was stored."""
        ...

    def remove(self, doc_id: str, version: int) -> bool:
        """Remove `doc_id` as of `version`, unless a newer version is held. Returns whether
        a stored version was removed or marked removed."""
        ...

    def search(self, query: str, page_size: int = 20, page_token: str | None = None) -> SearchPage:
        """Documents matching every term of `query` (query.py), best first.

        Raises InvalidQuery or InvalidPageToken, never an engine's own error for input.
        """
        ...
