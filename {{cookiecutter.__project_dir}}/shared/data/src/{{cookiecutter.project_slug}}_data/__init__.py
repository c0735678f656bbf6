"""DynamoDB data access shared by every service."""

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
from .records import Page, Record
from .repository import RecordRepository

__all__ = [
    "DataError",
    "InvalidDocument",
    "InvalidPageToken",
    "InvalidRecordId",
    "Page",
    "Record",
    "RecordExists",
    "RecordNotFound",
    "RecordRepository",
    "VersionConflict",
    "check_document",
    "dynamodb_client",
    "parse_document",
]
