"""A DynamoDB table of JSON records with optimistic locking and paginated listing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .batch_writes import BatchWriter
from .documents import check_document
from .errors import InvalidRecordId, RecordExists, RecordNotFound, VersionConflict
from .limits import is_record_id
from .records import BatchResult, Page, Record
from .serialization import decode_page_token, encode_page_token, from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Clock = Callable[[], datetime]

_KEY = "id"


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


class RecordRepository:
    """Stores records in one table whose hash key is the string attribute `id`.

    Every write is conditional, so a create never overwrites, and an update or
    delete never resurrects or clobbers a record that changed in between. Ids and
    documents are checked against limits.py before DynamoDB sees them
    (InvalidRecordId, InvalidDocument), and a write returns its record as a read
    will (numbers as DynamoDB keeps them), so the two never disagree.
    """

    def __init__(self, client: DynamoDBClient, table_name: str, clock: Clock = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def create(self, record_id: str, data: dict[str, Any]) -> Record:
        """Store a new record at version 1; RecordExists if the id is taken."""
        _check_id(record_id)
        check_document(data)
        now = self._timestamp()
        item = to_item(
            Record(id=record_id, data=data, version=1, created_at=now, updated_at=now).to_json()
        )
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(#id)",
                ExpressionAttributeNames={"#id": _KEY},
            )
        except ClientError as error:
            if _condition_failed(error):
                raise RecordExists(record_id) from error
            raise
        return _record(item)

    def create_many(
        self, entries: list[tuple[str, dict[str, Any]]], writer: BatchWriter | None = None
    ) -> BatchResult:
        """Store new records at version 1 in batches; report which were not stored.

        Unlike `create`, a batch write is not conditional (BatchWriteItem takes no
        condition): the ids must be new ones the caller drew, not a client's. Every
        document is checked before anything is written.
        """
        for index, (record_id, data) in enumerate(entries):
            _check_id(record_id)
            check_document(data, at=f"/items/{index}")
        now = self._timestamp()
        records = [
            Record(id=record_id, data=data, version=1, created_at=now, updated_at=now)
            for record_id, data in entries
        ]
        items = [to_item(record.to_json()) for record in records]
        outcome = (writer or BatchWriter(self._client, self._table, _KEY)).put_all(items)
        # As a read returns them (numbers as DynamoDB keeps them), like `create`.
        written = {record.id: record for record in (_record(item) for item in items)}
        return BatchResult(
            stored=[written[key] for key in outcome.stored], unprocessed=outcome.unprocessed
        )

    def get(self, record_id: str) -> Record:
        """Return the record; RecordNotFound if there is none."""
        _check_id(record_id)
        response = self._client.get_item(
            TableName=self._table, Key=to_item({_KEY: record_id}), ConsistentRead=True
        )
        if "Item" not in response:
            raise RecordNotFound(record_id)
        return _record(response["Item"])

    def replace(
        self, record_id: str, data: dict[str, Any], expected_version: int | None = None
    ) -> Record:
        """Replace the record's data and bump its version.

        With `expected_version`, the write happens only if the stored version is
        still that one; otherwise VersionConflict. RecordNotFound if there is none.
        """
        _check_id(record_id)
        check_document(data)
        condition = "attribute_exists(#id)"
        values: dict[str, Any] = {":data": data, ":now": self._timestamp(), ":one": 1}
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = expected_version
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=to_item({_KEY: record_id}),
                UpdateExpression="SET #data = :data, updated_at = :now ADD #version :one",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#id": _KEY, "#data": "data", "#version": "version"},
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if _condition_failed(error):
                if "Item" in error.response:
                    raise VersionConflict(record_id) from error
                raise RecordNotFound(record_id) from error
            raise
        return _record(response["Attributes"])

    def delete(self, record_id: str) -> None:
        """Delete the record; RecordNotFound if there is none."""
        _check_id(record_id)
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=to_item({_KEY: record_id}),
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": _KEY},
            )
        except ClientError as error:
            if _condition_failed(error):
                raise RecordNotFound(record_id) from error
            raise

    def list(self, limit: int, page_token: str | None = None) -> Page:
        """Return up to `limit` records and a token for the rest (None when done).

        InvalidPageToken if `page_token` was not issued by this method.
        """
        request: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        if page_token:
            request["ExclusiveStartKey"] = decode_page_token(page_token, (_KEY,))
        response = self._client.scan(**request)
        last_key = response.get("LastEvaluatedKey")
        return Page(
            records=[_record(item) for item in response.get("Items", [])],
            next_token=encode_page_token(last_key) if last_key else None,
        )

    def _timestamp(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")


def _record(item: dict[str, Any]) -> Record:
    values = from_item(item)
    return Record(
        id=values["id"],
        data=values["data"],
        version=values["version"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
    )


def _check_id(record_id: str) -> None:
    if not is_record_id(record_id):
        raise InvalidRecordId(record_id)


def _condition_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
