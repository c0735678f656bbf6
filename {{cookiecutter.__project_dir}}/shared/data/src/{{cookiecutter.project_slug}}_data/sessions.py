"""Short-lived items in DynamoDB with its TTL feature: sessions, idempotency records, tokens.

Each item carries `expires_at` in epoch seconds, the table's TTL attribute. DynamoDB
deletes expired items lazily (typically within days, not at the second), so every
read here treats an item whose time has passed as absent and every query filters
them out: the TTL keeps the table small, the clock decides what exists.

Items live under a partition (`pk`, e.g. a service and a user) and a sort key
(`sk`), so one query lists what a partition holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .serialization import from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EpochClock = Callable[[], float]
TTL_ATTRIBUTE = "expires_at"
_KEYS = ("pk", "sk")


class SessionStore:
    """Items that expire, in one table keyed by `pk` (hash) and `sk` (range)."""

    def __init__(
        self, client: DynamoDBClient, table_name: str, clock: EpochClock = time.time
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def now(self) -> int:
        """The store's clock, in whole epoch seconds."""
        return int(self._clock())

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        """The item's values, or None if there is none or it has expired."""
        response = self._client.get_item(
            TableName=self._table, Key=to_item({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            return None
        values = from_item(item)
        return None if self._expired(values) else _data(values)

    def put(self, pk: str, sk: str, data: dict[str, Any], ttl_seconds: int) -> None:
        """Store `data` under (pk, sk) until `ttl_seconds` from now, replacing what was there."""
        self._client.put_item(TableName=self._table, Item=self._item(pk, sk, data, ttl_seconds))

    def create(
        self, pk: str, sk: str, data: dict[str, Any], ttl_seconds: int
    ) -> dict[str, Any] | None:
        """Store `data` unless a live item holds (pk, sk); then return that item's values.

        One conditional write: of several concurrent creates, exactly one succeeds
        (returns None). An expired item counts as absent and is replaced.
        """
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._item(pk, sk, data, ttl_seconds),
                ConditionExpression="attribute_not_exists(pk) OR #ttl <= :now",
                ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues=to_item({":now": self.now()}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            held: Any = error.response.get("Item")
            if not isinstance(held, dict):  # an emulator that does not return it: read it
                return self.get(pk, sk) or {}
            return _data(from_item(held))
        return None

    def delete(self, pk: str, sk: str) -> None:
        """Remove the item, if any."""
        self._client.delete_item(TableName=self._table, Key=to_item({"pk": pk, "sk": sk}))

    def live(self, pk: str) -> dict[str, dict[str, Any]]:
        """Every live item of partition `pk`, by sort key (expired ones filtered out)."""
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "FilterExpression": "#ttl > :now",
            "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": to_item({":pk": pk, ":now": self.now()}),
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                values = from_item(item)
                found[values["sk"]] = _data(values)
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _item(self, pk: str, sk: str, data: dict[str, Any], ttl_seconds: int) -> dict[str, Any]:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        return to_item({**data, "pk": pk, "sk": sk, TTL_ATTRIBUTE: self.now() + ttl_seconds})

    def _expired(self, values: dict[str, Any]) -> bool:
        expires_at = values.get(TTL_ATTRIBUTE)
        return not isinstance(expires_at, int) or expires_at <= self.now()


def _data(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name not in _KEYS}
