"""The routes that read the projections: counts per day from SQL, full-text search.

Their engines are imported here only inside the methods, so the app's cold start and
every other route stay free of SQLAlchemy, sqlite3 and opensearch-py.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from chalice import BadRequestError
from chalice.app import ChaliceViewError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from {{ cookiecutter.project_slug }}_search import SearchIndex

DEFAULT_SEARCH_LIMIT = 20
MAX_SEARCH_LIMIT = 100
MAX_QUERY_CHARS = 256
SEARCH_TOKEN_PATTERN = "^[A-Za-z0-9_-]{1,512}$"  # noqa: S105 (a pattern)
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_LIMIT = re.compile(r"[0-9]{1,3}")
_SEARCH_TOKEN = re.compile(SEARCH_TOKEN_PATTERN)
_DATE = re.compile(DATE_PATTERN)


class ServiceUnavailable(ChaliceViewError):
    """503: the stage has no database or search engine for this route."""

    STATUS_CODE = 503


class Queries:
    """Answers the read routes from the service's SQL projection and search index."""

    def __init__(
        self,
        service: str,
        engine: Callable[[], Engine | None],
        index: Callable[[], SearchIndex | None],
    ) -> None:
        self._service = service
        self._engine = engine
        self._index = index

    def daily_counts(self, query: Mapping[str, str] | None) -> dict[str, Any]:
        """Records created per UTC day, oldest first, within optional `from`/`to` dates."""
        params = _known(query, ("from", "to"))
        first, last = _date(params, "from"), _date(params, "to")
        if first and last and first > last:
            raise BadRequestError("from must not be after to")
        engine = self._engine()
        if engine is None:
            raise ServiceUnavailable("no SQL database is configured for this stage")
        from {{ cookiecutter.project_slug }}_sql.projection import daily_counts

        with engine.connect() as connection:
            counts = daily_counts(connection, self._service)
        days = [
            {"day": item.day.isoformat(), "count": item.count}
            for item in counts
            if (first is None or item.day >= first) and (last is None or item.day <= last)
        ]
        return {"days": days, "total": sum(day["count"] for day in days)}

    def search(self, query: Mapping[str, str] | None) -> dict[str, Any]:
        """A page of the records matching `q`, best first, with highlighted fragments."""
        params = _known(query, ("q", "limit", "next_token"))
        text = params.get("q", "")
        if not text.strip() or len(text) > MAX_QUERY_CHARS:
            raise BadRequestError(f"q must hold 1 to {MAX_QUERY_CHARS} characters")
        raw_limit = params.get("limit", str(DEFAULT_SEARCH_LIMIT))
        if not _LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_SEARCH_LIMIT:
            raise BadRequestError(f"limit must be a whole number from 1 to {MAX_SEARCH_LIMIT}")
        token = params.get("next_token")
        if token is not None and not _SEARCH_TOKEN.fullmatch(token):
            raise BadRequestError(f"next_token must match {SEARCH_TOKEN_PATTERN}")
        index = self._index()
        if index is None:
            raise ServiceUnavailable("no search engine is configured for this stage")
        from {{ cookiecutter.project_slug }}_search import InvalidPageToken, InvalidQuery

        try:
            page = index.search(text, int(raw_limit), token)
        except InvalidQuery as error:
            raise BadRequestError(str(error)) from None
        except InvalidPageToken as error:
            raise BadRequestError(f"invalid next_token: {error}") from None
        items = [
            {"id": hit.id, "score": hit.score, "highlights": hit.highlights} for hit in page.hits
        ]
        return {"items": items, "next_token": page.next_token}


def _known(query: Mapping[str, str] | None, names: tuple[str, ...]) -> Mapping[str, str]:
    # Refused, not ignored, as GET /<service> does: a misspelt `qq=x` must not pass.
    query = query or {}
    unknown = sorted(set(query) - set(names))
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:3])
        raise BadRequestError(f"unknown query parameters: {shown}; known: {', '.join(names)}")
    return query


def _date(params: Mapping[str, str], name: str) -> datetime.date | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise BadRequestError(f"{name} must be a date, YYYY-MM-DD") from None
