"""Where the service's SQL projection and search index live, built at first use.

Nothing here imports SQLAlchemy, sqlite3 or opensearch-py: each source imports its
engine when first called, so a cold start for a route that uses neither pays nothing.
A source returns None when the stage configures neither a URL nor a local folder:
the routes then answer 503 and the projections skip.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_sql import local_database_url
from {{ cookiecutter.project_slug }}_sql.credentials import DatabaseReference

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from {{ cookiecutter.project_slug }}_search import SearchIndex


def sql_url(settings: ServiceSettings) -> str | None:
    """The database URL of `settings`: configured, else the local file, else None."""
    configured = settings.database_url.get_secret_value().strip()
    if configured:
        from {{ cookiecutter.project_slug }}_sql.urls import checked_url

        return checked_url(configured)
    if settings.local_state_dir:
        return local_database_url(Path(settings.local_state_dir), settings.stage)
    return None


def engine_source(settings: ServiceSettings) -> Callable[[], Engine | None]:
    """A function returning the stage's engine (one per database and process), or None.

    A deployed stage with SQL names its database's secret and RDS Proxy's endpoint: the
    engine reads the credentials from the secret when it connects (never at import).
    """
    if settings.database_secret_arn:
        reference = DatabaseReference(
            secret_arn=settings.database_secret_arn,
            host=settings.database_host,
            database=settings.database_name,
        )

        def engine_from_secret() -> Engine | None:
            from {{ cookiecutter.project_slug }}_sql.engine import secret_engine

            return secret_engine(reference)

        return engine_from_secret
    url = sql_url(settings)

    def engine() -> Engine | None:
        if url is None:
            return None
        from {{ cookiecutter.project_slug }}_sql.engine import engine_for

        return engine_for(url)

    return engine


def index_source(settings: ServiceSettings) -> Callable[[], SearchIndex | None]:
    """A function returning the service's search index (made once), or None."""
    lock = threading.Lock()
    made: list[SearchIndex] = []

    def index() -> SearchIndex | None:
        if not settings.search_url and not settings.local_state_dir:
            return None
        with lock:
            if not made:
                from {{ cookiecutter.project_slug }}_search import search_index

                made.append(
                    search_index(
                        stage=settings.stage,
                        service=settings.service,
                        state_dir=Path(settings.local_state_dir or "."),
                        url=settings.search_url,
                        region=settings.region,
                        signing_service=_signing_service(settings.search_url),
                    )
                )
            return made[0]

    return index


def _signing_service(url: str) -> str:
    # AWS endpoints take SigV4 (Serverless collections `aoss`, domains `es`); others none.
    if ".aoss.amazonaws.com" in url:
        return "aoss"
    return "es" if ".es.amazonaws.com" in url else ""
