"""Creating, reading, replacing, deleting and listing the service's records over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice import BadRequestError, ConflictError, NotFoundError

from {{ cookiecutter.project_slug }}_data import (
    InvalidPageToken,
    Page,
    Record,
    RecordExists,
    RecordNotFound,
    RecordRepository,
    VersionConflict,
)

# Well below DynamoDB's 400 KB item limit, leaving room for the bookkeeping attributes.
MAX_BODY_BYTES = 64 * 1024
MAX_ID_ATTEMPTS = 3


class RecordService:
    """Validates requests and turns repository outcomes into Chalice's HTTP errors."""

    def __init__(self, repository: RecordRepository, new_id: Callable[[], str]) -> None:
        self._repository = repository
        self._new_id = new_id

    def create(self, body: Any) -> Record:
        """Store `body` under a new id; 400 unless it is a JSON object of bounded size."""
        data = _checked_body(body)
        for _ in range(MAX_ID_ATTEMPTS):
            try:
                return self._repository.create(self._new_id(), data)
            except RecordExists:
                continue
        raise ConflictError("could not allocate a record id")

    def get(self, record_id: str) -> Record:
        """Return the record, or 404."""
        try:
            return self._repository.get(record_id)
        except RecordNotFound as error:
            raise NotFoundError(f"no record {record_id}") from error

    def replace(self, record_id: str, body: Any, expected_version: int | None) -> Record:
        """Replace the record's data; 404 if absent, 409 if it is no longer `expected_version`."""
        data = _checked_body(body)
        try:
            return self._repository.replace(record_id, data, expected_version)
        except RecordNotFound as error:
            raise NotFoundError(f"no record {record_id}") from error
        except VersionConflict as error:
            raise ConflictError(f"record {record_id} has changed; read it again") from error

    def delete(self, record_id: str) -> None:
        """Delete the record, or 404."""
        try:
            self._repository.delete(record_id)
        except RecordNotFound as error:
            raise NotFoundError(f"no record {record_id}") from error

    def list(self, limit: int, page_token: str | None) -> Page:
        """One page of records; 400 for a token this service did not issue."""
        try:
            return self._repository.list(limit, page_token)
        except InvalidPageToken as error:
            raise BadRequestError("invalid next_token") from error


def _checked_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    if len(json.dumps(body).encode()) > MAX_BODY_BYTES:
        raise BadRequestError(f"the body must be at most {MAX_BODY_BYTES} bytes")
    return body
