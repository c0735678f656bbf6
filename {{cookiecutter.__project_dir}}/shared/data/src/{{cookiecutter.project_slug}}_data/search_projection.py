"""The search projection: each record's text in the service's full-text index.

The index (and with it sqlite3 or opensearch-py) is built at the first change applied,
not with this module, so a cold start that serves only HTTP requests never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .changes import Change, SkipReport
from .images import projected_record

if TYPE_CHECKING:
    from {{ cookiecutter.project_slug }}_search import SearchIndex

# Returns the service's index, made at first use; None when the stage has no search.
IndexSource = Callable[[], "SearchIndex | None"]


class SearchProjection:
    """Indexes each record version's text fields; removes deleted records.

    The index orders writes by version ({{ cookiecutter.project_slug }}_search.port), so a retried,
    replayed or reordered change never brings back an older text or a removed record.
    """

    name = "search"

    def __init__(self, service: str, index: IndexSource, emit: Callable[[str], None]) -> None:
        self._service = service
        self._index = index
        self._report_skip = SkipReport("search", service, emit)

    def apply(self, change: Change) -> None:
        index = self._index()
        if index is None:
            self._report_skip("no search engine configured for this stage")
            return
        record = projected_record(change)
        if record is None:
            self._report_skip("a change without the record's images")
            return
        if record.deleted:
            index.remove(record.id, record.version)
            return
        from {{ cookiecutter.project_slug }}_search import searchable_fields

        index.index(record.id, record.version, searchable_fields(record.data))
