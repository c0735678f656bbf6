"""What a search can refuse: each message is safe to return to the caller (a 400) or log."""

from __future__ import annotations


class SearchError(Exception):
    """Base of this package's errors."""


class InvalidQuery(SearchError):
    """The query text cannot be searched for (empty, too long, an unclosed quote)."""


class InvalidPageToken(SearchError):
    """The page token was not made by this engine for this query."""


class SearchConfigError(SearchError):
    """The settings name no engine, or an engine this process cannot build."""
