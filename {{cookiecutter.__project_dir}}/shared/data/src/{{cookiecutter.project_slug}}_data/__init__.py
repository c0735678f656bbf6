"""DynamoDB data access shared by every service."""

from .clients import dynamodb_client
from .errors import DataError, InvalidPageToken, RecordExists, RecordNotFound, VersionConflict
from .records import Page, Record
from .repository import RecordRepository

__all__ = [
    "DataError",
    "InvalidPageToken",
    "Page",
    "Record",
    "RecordExists",
    "RecordNotFound",
    "RecordRepository",
    "VersionConflict",
    "dynamodb_client",
]
