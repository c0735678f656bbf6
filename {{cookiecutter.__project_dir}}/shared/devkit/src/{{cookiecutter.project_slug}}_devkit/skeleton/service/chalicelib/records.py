"""Creating, reading, replacing, deleting and listing the service's records over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from chalice import BadRequestError, ConflictError, NotFoundError

from {{ cookiecutter.project_slug }}_data import (
    InvalidDocument,
    InvalidPageToken,
    InvalidRecordId,
    Page,
    Record,
    RecordExists,
    RecordNotFound,
    RecordRepository,
    VersionConflict,
)
from {{ cookiecutter.project_slug }}_data.limits import RECORD_ID_PATTERN

MAX_ID_ATTEMPTS = 3


class RecordService:
    """Validates requests and turns repository outcomes into Chalice's HTTP errors."""

    def __init__(self, repository: RecordRepository, new_id: Callable[[], str]) -> None:
        self._repository = repository
        self._new_id = new_id

    def create(self, data: dict[str, Any]) -> Record:
        """Store `data` under a new id; 400 if a record cannot hold it (limits.py)."""
        for _ in range(MAX_ID_ATTEMPTS):
            with _refused_as_400():
                try:
                    return self._repository.create(self._new_id(), data)
                except RecordExists:
                    continue
        raise ConflictError("could not allocate a record id")

    def create_batch(self, items: list[dict[str, Any]]) -> list[Record | None]:
        """Store each item as a new record, in batches: its record, or None where it was not
        stored (DynamoDB kept refusing it). 400 if any cannot be held; then none is stored."""
        ids = [self._new_id() for _ in items]
        with _refused_as_400():
            result = self._repository.create_many(list(zip(ids, items, strict=True)))
        stored = {record.id: record for record in result.stored}
        return [stored.get(record_id) for record_id in ids]

    def get(self, record_id: str) -> Record:
        """Return the record; 404 if absent, 400 for an id no record can have."""
        with _refused_as_400():
            try:
                return self._repository.get(record_id)
            except RecordNotFound as error:
                raise NotFoundError(f"no record {record_id}") from error

    def replace(self, record_id: str, data: dict[str, Any], expected_version: int | None) -> Record:
        """Replace the record's data; 404 if absent, 409 if it is no longer `expected_version`."""
        with _refused_as_400():
            try:
                return self._repository.replace(record_id, data, expected_version)
            except RecordNotFound as error:
                raise NotFoundError(f"no record {record_id}") from error
            except VersionConflict as error:
                raise ConflictError(f"record {record_id} has changed; read it again") from error

    def delete(self, record_id: str) -> None:
        """Delete the record; 404 if absent."""
        with _refused_as_400():
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


@contextmanager
def _refused_as_400() -> Iterator[None]:
    """The data package's refusals of input, as 400s that say which rule was broken."""
    try:
        yield
    except InvalidRecordId:
        # The id itself is not echoed: it can be long, and it is the caller's own input.
        raise BadRequestError(f"record_id must match {RECORD_ID_PATTERN}") from None
    except InvalidDocument as error:
        raise BadRequestError(str(error)) from None
