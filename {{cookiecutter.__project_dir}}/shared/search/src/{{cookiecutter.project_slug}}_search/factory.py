"""Which engine a service's search runs on, from its settings.

    url set        OpenSearch at that URL (on AWS: the stage's collection endpoint,
                   signed for `aoss`; a domain, signed for `es`)
    state_dir set  the embedded SQLite engine, one file per stage and service under
                   the local cloud's state folder
    neither        SearchConfigError: a deployed function has no durable disk, so it
                   never falls back to a file silently

Each engine's module is imported here only when chosen, so importing this package
costs a service nothing at start-up.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import SearchConfigError
from .port import SearchIndex

# Stage and service names become file and index names: the rules of both (OpenSearch
# index names are lower case and may hold "_" and "-"; service names hold "_").
NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")
SEARCH_FOLDER = "search"


def index_name(stage: str, service: str) -> str:
    """The stage's and service's index (the file name of the embedded one)."""
    for label, value in (("stage", stage), ("service", service)):
        if not NAME.fullmatch(value):
            raise SearchConfigError(f"{label} name is not a valid search index name")
    return f"{stage}-{service}"


def search_index(
    *,
    stage: str,
    service: str,
    state_dir: Path | None = None,
    url: str = "",
    region: str = "",
    signing_service: str = "",
    refresh: bool = False,
) -> SearchIndex:
    """The search index of `service` in `stage` (see the module's docstring)."""
    name = index_name(stage, service)
    if url:
        from .opensearch import SIGNING_SERVICES, OpenSearchIndex, opensearch_client

        if signing_service and signing_service not in SIGNING_SERVICES:
            raise SearchConfigError(f"signing_service must be one of {SIGNING_SERVICES}")
        if signing_service and not region:
            raise SearchConfigError("a signed OpenSearch client needs the region")
        try:
            client = opensearch_client(url, region, signing_service)
        except ImportError as error:
            raise SearchConfigError("opensearch-py is not installed") from error
        return OpenSearchIndex(client, name, serverless=signing_service == "aoss", refresh=refresh)
    if state_dir is not None:
        from .embedded import SqliteSearchIndex

        return SqliteSearchIndex(state_dir / SEARCH_FOLDER / f"{name}.sqlite3")
    raise SearchConfigError("no search engine configured: set the OpenSearch URL or a state folder")
