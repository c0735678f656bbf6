"""Full-text search for the services: one port, two engines (SQLite FTS5 locally,
OpenSearch on AWS), chosen by `search_index`. Importing this package loads neither
engine's library: the factory imports the chosen one."""

from .errors import InvalidPageToken, InvalidQuery, SearchConfigError, SearchError
from .factory import index_name, search_index
from .fields import searchable_fields
from .port import MAX_PAGE_SIZE, Hit, SearchIndex, SearchPage
from .query import Term, parse_query

__all__ = [
    "MAX_PAGE_SIZE",
    "Hit",
    "InvalidPageToken",
    "InvalidQuery",
    "SearchConfigError",
    "SearchError",
    "SearchIndex",
    "SearchPage",
    "Term",
    "index_name",
    "parse_query",
    "search_index",
    "searchable_fields",
]
