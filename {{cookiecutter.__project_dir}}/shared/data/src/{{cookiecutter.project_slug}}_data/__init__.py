"""DynamoDB data access shared by every service."""

from .batch_writes import BatchOutcome, BatchWriter, RetryPolicy
from .change_log import ChangeEntry, ChangeLog
from .changes import Change, MalformedChange, Projection
from .clients import dynamodb_client
from .documents import check_document, parse_document
from .errors import (
    DataError,
    InvalidDocument,
    InvalidPageToken,
    InvalidRecordId,
    RecordExists,
    RecordNotFound,
    VersionConflict,
)
from .idempotency import (
    Idempotency,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    StoredResponse,
)
from .records import BatchResult, Page, Record
from .repository import RecordRepository
from .sessions import SessionStore

__all__ = [
    "BatchOutcome",
    "BatchResult",
    "BatchWriter",
    "Change",
    "ChangeEntry",
    "ChangeLog",
    "DataError",
    "Idempotency",
    "IdempotencyInProgress",
    "IdempotencyKeyReused",
    "InvalidDocument",
    "InvalidPageToken",
    "InvalidRecordId",
    "MalformedChange",
    "Page",
    "Projection",
    "Record",
    "RecordExists",
    "RecordNotFound",
    "RecordRepository",
    "RetryPolicy",
    "SessionStore",
    "StoredResponse",
    "VersionConflict",
    "check_document",
    "dynamodb_client",
    "parse_document",
]
