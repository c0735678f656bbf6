"""Writing many items with BatchWriteItem: 25 a call, duplicates removed, the rest retried.

DynamoDB may accept part of a batch and hand the rest back as UnprocessedItems
(throttling, a hot partition). boto3's `batch_writer` re-sends those at once, with
no backoff and no end; this writer waits with capped exponential backoff and full
jitter (AWS's recommendation for retries), stops after its attempts, and says
which items were stored and which were not, so the caller can answer for each.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# BatchWriteItem's own limit.
MAX_ITEMS_PER_CALL = 25


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep re-sending unprocessed items: `attempts` calls in all per item."""

    attempts: int = 6
    first_delay: float = 0.05
    max_delay: float = 2.0

    def delay(self, retry: int, draw: Callable[[], float]) -> float:
        """Full jitter: a random wait up to the capped exponential backoff of `retry`."""
        return draw() * min(self.max_delay, self.first_delay * 2.0**retry)


@dataclass(frozen=True)
class BatchOutcome:
    """Keys (as given, in order) of the items stored and of those given up on."""

    stored: list[str]
    unprocessed: list[str]


class BatchWriter:
    """Puts items into one table whose hash key is the string attribute `key_name`."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        key_name: str = "id",
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._table = table_name
        self._key = key_name
        self._retry = retry
        self._sleep = sleep
        self._draw = draw

    def put_all(self, items: Sequence[dict[str, Any]]) -> BatchOutcome:
        """Store `items` (DynamoDB items, as `serialization.to_item` makes them).

        BatchWriteItem refuses a call that names a key twice, so only the last item
        of each key is sent; the earlier ones count as stored with it.
        """
        latest = {self._key_of(item): item for item in items}
        pending = {key: {"PutRequest": {"Item": item}} for key, item in latest.items()}
        stored: set[str] = set()
        for attempt in range(self._retry.attempts):
            if not pending:
                break
            if attempt:
                self._sleep(self._retry.delay(attempt - 1, self._draw))
            pending = self._send(pending, stored)
        order = list(dict.fromkeys(self._key_of(item) for item in items))
        return BatchOutcome(
            stored=[key for key in order if key in stored],
            unprocessed=[key for key in order if key not in stored],
        )

    def _send(
        self, pending: dict[str, dict[str, Any]], stored: set[str]
    ) -> dict[str, dict[str, Any]]:
        """One pass over `pending` in calls of 25; returns what DynamoDB handed back."""
        keys = list(pending)
        left: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), MAX_ITEMS_PER_CALL):
            chunk = keys[start : start + MAX_ITEMS_PER_CALL]
            response = self._client.batch_write_item(
                RequestItems={self._table: [pending[key] for key in chunk]}  # type: ignore[misc]
            )
            returned = response.get("UnprocessedItems", {}).get(self._table, [])
            unprocessed = {self._key_of(request["PutRequest"]["Item"]) for request in returned}
            for key in chunk:
                if key in unprocessed:
                    left[key] = pending[key]
                else:
                    stored.add(key)
        return left

    def _key_of(self, item: dict[str, Any]) -> str:
        return str(item[self._key]["S"])
