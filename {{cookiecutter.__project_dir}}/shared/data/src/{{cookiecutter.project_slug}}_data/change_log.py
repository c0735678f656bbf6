"""A service's change log: one DynamoDB item per change of its records, the first projection.

Each service keeps its own table per stage (`<project>-<stage>-<service>-changes`,
infra/stage.yaml), not items in its records table: a write there would go to the
same stream and come back as a change of its own, and listing records would have
to skip log items. The log holds what changed and when, never a record's data, so
personal data stays in the one table where deleting it deletes it.

Idempotent by key: an entry's key is the record id (hash) and the stream sequence
number (range), and it is written only if absent. A replayed change finds its
entry and leaves it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .changes import Change

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# DynamoDB sequence numbers are decimal strings of 21 to 40 digits; zero-padded to 40
# they sort as strings in the order of their numbers (a number attribute holds 38).
SEQUENCE_DIGITS = 40


@dataclass(frozen=True)
class ChangeEntry:
    """One entry of the log, as stored."""

    record_id: str
    sequence_number: str
    kind: str
    event_id: str
    changed_at: str
    version: int | None


def sort_key(sequence_number: str) -> str:
    """The range key of a sequence number: zero-padded so that string order is number order."""
    return sequence_number.zfill(SEQUENCE_DIGITS)


class ChangeLog:
    """Appends each change to a table whose key is `id` (hash) and `sequence` (range)."""

    name = "change_log"

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def apply(self, change: Change) -> None:
        """Append `change`, unless it is there already (a retried or replayed record)."""
        item: dict[str, Any] = {
            "id": {"S": change.record_id},
            "sequence": {"S": sort_key(change.sequence_number)},
            "change": {"S": change.kind},
            "event_id": {"S": change.event_id},
            "changed_at": {"S": change.changed_at},
        }
        version = _version(change)
        if version is not None:
            item["version"] = {"N": str(version)}
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(#sequence)",
                ExpressionAttributeNames={"#sequence": "sequence"},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # Written by an earlier delivery of this record: nothing to do.

    def entries(self, record_id: str) -> list[ChangeEntry]:
        """The log of one record, oldest change first (strongly consistent)."""
        found: list[ChangeEntry] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#id = :id",
            "ExpressionAttributeNames": {"#id": "id"},
            "ExpressionAttributeValues": {":id": {"S": record_id}},
            "ConsistentRead": True,
        }
        while True:
            page = self._client.query(**request)
            found += [_entry(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _version(change: Change) -> int | None:
    """The record's version after the change (before it, for a removal)."""
    image = change.old_image if change.kind == "REMOVE" else change.new_image
    number = (image or {}).get("version", {})
    value = number.get("N") if isinstance(number, dict) else None
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _entry(item: dict[str, Any]) -> ChangeEntry:
    version = item.get("version", {}).get("N")
    return ChangeEntry(
        record_id=item["id"]["S"],
        sequence_number=item["sequence"]["S"].lstrip("0") or "0",
        kind=item["change"]["S"],
        event_id=item["event_id"]["S"],
        changed_at=item["changed_at"]["S"],
        version=int(version) if version is not None else None,
    )
