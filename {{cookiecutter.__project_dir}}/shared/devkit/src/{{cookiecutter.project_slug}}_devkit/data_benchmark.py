"""Batch writes against one-item-at-a-time writes, on one local cloud, in one run.

`run` is what `invoke bench.data` prints. It starts moto in this process, makes a
throwaway table shaped like a service's, and writes the same kind of records (a
service's record items) alternately one PutItem at a time and through the data
package's BatchWriter (25 a call), several rounds, each round with new ids. It
reports items per second (medians) and their ratio; it asserts nothing. moto runs
in this process, so both ways pay its server time; against DynamoDB the saving of
round trips is larger still.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from {{ cookiecutter.project_slug }}_data import BatchWriter, Record
from {{ cookiecutter.project_slug }}_data.serialization import to_item

from .local_cloud import LocalCloud

ROUNDS = 5


def records(count: int) -> list[dict[str, Any]]:
    """`count` new record items as a service writes them, each with a few fields."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    return [
        to_item(
            Record(
                id=uuid.uuid4().hex,
                data={"title": f"note {n}", "n": n, "tags": ["a", "b"], "done": False},
                version=1,
                created_at=now,
                updated_at=now,
            ).to_json()
        )
        for n in range(count)
    ]


def run(region: str, items: int = 500, rounds: int = ROUNDS) -> list[str]:
    """Time `items` single and batched writes `rounds` times each, alternating; the report."""
    cloud = LocalCloud()
    cloud.start()
    try:
        client = cloud.client("dynamodb", region)
        table = f"bench-{uuid.uuid4().hex[:8]}"
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )

        def single(batch: list[dict[str, Any]]) -> None:
            for item in batch:
                client.put_item(TableName=table, Item=item)

        writer = BatchWriter(client, table)

        def batched(batch: list[dict[str, Any]]) -> None:
            outcome = writer.put_all(batch)
            if outcome.unprocessed:
                raise RuntimeError(f"{len(outcome.unprocessed)} items were not stored")

        figures: dict[str, list[float]] = {"single": [], "batch": []}
        ways: dict[str, Callable[[list[dict[str, Any]]], None]] = {
            "single": single,
            "batch": batched,
        }
        for _ in range(rounds):
            for name, way in ways.items():
                batch = records(items)
                started = time.perf_counter()
                way(batch)
                figures[name].append(items / (time.perf_counter() - started))
        stored = client.scan(TableName=table, Select="COUNT")["Count"]
    finally:
        cloud.stop()
    single_rate = statistics.median(figures["single"])
    batch_rate = statistics.median(figures["batch"])
    return [
        f"{items} records a round, {rounds} rounds each way, alternating, on moto "
        f"({stored} items stored in all)",
        f"single PutItem:        {single_rate:8.0f} items/s (median)",
        f"BatchWriteItem by 25:  {batch_rate:8.0f} items/s (median)",
        f"batch/single items per second ratio: {batch_rate / single_rate:.1f}",
    ]
