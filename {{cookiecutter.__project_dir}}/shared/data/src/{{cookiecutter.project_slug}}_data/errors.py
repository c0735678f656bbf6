"""What the repository raises; each maps to one HTTP status in the services."""


class DataError(Exception):
    """Base of every error the data package raises on purpose."""


class RecordNotFound(DataError):
    """No record has the requested id."""


class RecordExists(DataError):
    """A record with that id exists already."""


class VersionConflict(DataError):
    """The record changed since the caller read it (optimistic locking)."""


class InvalidPageToken(DataError):
    """A pagination token was not one this package issued."""


class InvalidDocument(DataError):
    """A JSON document a record cannot hold (limits.py); the message says what and where."""


class InvalidRecordId(DataError):
    """A record id that does not match limits.RECORD_ID_PATTERN: no such record can exist."""
