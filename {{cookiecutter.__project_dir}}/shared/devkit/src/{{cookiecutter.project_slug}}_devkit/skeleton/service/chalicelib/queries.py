"""The routes that read the projections: counts per day from SQL, full-text search.

Their engines are imported here only inside the methods, so the app's cold start and
every other route stay free of SQLAlchemy, sqlite3 and opensearch-py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import BadRequestError
from chalice.app import ChaliceViewError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from {{ cookiecutter.project_slug }}_search import SearchIndex


class ServiceUnavailable(ChaliceViewError):
    """503: the stage has no database or search engine for this route."""

    STATUS_CODE = 503


class Queries:
    """Answers the read routes from the service's SQL projection and search index.

    Their parameters are checked against openapi.yaml before they get here (contract.py):
    what is left is what the document cannot say.
    """

    def __init__(
        self,
        service: str,
        engine: Callable[[], Engine | None],
        index: Callable[[], SearchIndex | None],
    ) -> None:
        self._service = service
        self._engine = engine
        self._index = index

    def daily_counts(self, since: str | None, until: str | None) -> dict[str, Any]:
        """Records created per UTC day, oldest first, within optional dates (YYYY-MM-DD)."""
        first, last = _date(since), _date(until)
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

    def search(self, text: str, limit: int, token: str | None) -> dict[str, Any]:
        """A page of the records matching `text`, best first, with highlighted fragments."""
        index = self._index()
        if index is None:
            raise ServiceUnavailable("no search engine is configured for this stage")
        from {{ cookiecutter.project_slug }}_search import InvalidPageToken, InvalidQuery

        try:
            page = index.search(text, limit, token)
        except InvalidQuery as error:
            raise BadRequestError(str(error)) from None
        except InvalidPageToken as error:
            raise BadRequestError(f"invalid next_token: {error}") from None
        items = [
            {"id": hit.id, "score": hit.score, "highlights": hit.highlights} for hit in page.hits
        ]
        return {"items": items, "next_token": page.next_token}


def _date(raw: str | None) -> datetime.date | None:
    # The document's `format: date` has let only real calendar days through.
    return None if raw is None else datetime.date.fromisoformat(raw)
