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
from .images import ProjectedRecord, projected_record
from .records import BatchResult, Page, Record
from .repository import RecordRepository
from .search_projection import SearchProjection
from .sessions import SessionStore
from .sql_projection import SqlProjection

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
    "ProjectedRecord",
    "Projection",
    "Record",
    "RecordExists",
    "RecordNotFound",
    "RecordRepository",
    "RetryPolicy",
    "SearchProjection",
    "SessionStore",
    "SqlProjection",
    "StoredResponse",
    "VersionConflict",
    "check_document",
    "dynamodb_client",
    "parse_document",
    "projected_record",
]
