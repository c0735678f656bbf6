"""What the SQL package raises; messages name settings, never secret values."""

from __future__ import annotations


class SqlError(Exception):
    """Base of this package's errors."""


class DatabaseNotConfigured(SqlError):
    """No database URL where one is required (on Lambda there is no local default)."""


class InvalidDatabaseUrl(SqlError):
    """A database URL this project cannot use (unknown scheme or driver)."""
