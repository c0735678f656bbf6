"""DynamoDB Stream records delivered to a service's handlers, as a Lambda event source mapping does.

The dev server runs `deliver` in a process of its own in each service's folder (see
the end of this module): it imports the service's `app`, finds the handlers
registered with `@app.on_dynamodb_record`, and for each one polls the stream its
registration names, batches up to `batch_size` records (waiting up to
`maximum_batching_window_in_seconds`), and calls the handler in this process. A
batch whose handler raises is retried with backoff, as a whole and in order, up
to MAX_RETRIES times; then it is reported and skipped, as with an event source
mapping that has MaximumRetryAttempts set and no on-failure destination.
"""

from __future__ import annotations

import base64
import datetime
import importlib
import logging
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

MAX_RETRIES = 3
FIRST_BACKOFF_SECONDS = 0.5
IDLE_POLL_SECONDS = 0.25
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class DeliveryStats:
    """What one mapping has done; handy in tests and in the shutdown line."""

    batches: int = 0
    records: int = 0
    retries: int = 0
    dropped_batches: int = 0


@dataclass
class StreamMapping:
    """One handler fed by one stream: the local counterpart of an event source mapping."""

    name: str
    handler: Handler
    stream_arn: str
    batch_size: int
    starting_position: str
    batching_window: float
    streams: Any
    sleep: Callable[[float], None] = time.sleep
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    _iterators: dict[str, str | None] = field(default_factory=dict)

    def start(self) -> None:
        """Take the shards' starting positions; records written from now on will come."""
        self._refresh_shards()

    def _refresh_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id in self._iterators:
                continue
            self._iterators[shard_id] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard_id,
                ShardIteratorType=self.starting_position,
            )["ShardIterator"]

    def poll_once(self) -> int:
        """Fetch one batch per shard and deliver it; return how many records were delivered."""
        self._refresh_shards()
        delivered = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue  # a closed shard, read to its end
            records, next_iterator = self._fetch(iterator)
            if records:
                self._deliver(records)
                delivered += len(records)
            self._iterators[shard_id] = next_iterator
        return delivered

    def _fetch(self, iterator: str) -> tuple[list[dict[str, Any]], str | None]:
        records: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.batching_window
        while True:
            page = self.streams.get_records(
                ShardIterator=iterator, Limit=self.batch_size - len(records)
            )
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator")
            if iterator is None or len(records) >= self.batch_size:
                return records, iterator
            if time.monotonic() >= deadline:
                return records, iterator
            self.sleep(min(IDLE_POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        event = {"Records": [lambda_record(record, self.stream_arn) for record in records]}
        backoff = FIRST_BACKOFF_SECONDS
        for attempt in range(MAX_RETRIES + 1):
            try:
                self.handler(event, _Context(self.name))
            except Exception:
                logging.getLogger(__name__).error(
                    "%s failed on a batch of %d records (attempt %d of %d):\n%s",
                    self.name, len(records), attempt + 1, MAX_RETRIES + 1,
                    traceback.format_exc(limit=3),
                )  # fmt: skip
                if attempt < MAX_RETRIES:
                    self.stats.retries += 1
                    self.sleep(backoff)
                    backoff *= 2
                continue
            self.stats.batches += 1
            self.stats.records += len(records)
            return
        self.stats.dropped_batches += 1
        logging.getLogger(__name__).error(
            "%s: dropped a batch of %d records after %d retries",
            self.name, len(records), MAX_RETRIES,
        )  # fmt: skip


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record as boto3 returns it, put back as Lambda sends it: epoch seconds, base64 binaries."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime.datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": _wire(change), "eventSourceARN": stream_arn}


def _wire(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


class _Context:
    """The parts of a Lambda context a handler commonly reads."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.aws_request_id = f"local-{time.monotonic_ns()}"
        self.memory_limit_in_mb = 128

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def mappings_of(app_module: Any, streams: Any) -> list[StreamMapping]:
    """A mapping for each `@app.on_dynamodb_record` handler of a Chalice app module."""
    from chalice.app import DynamoDBEventConfig

    found = []
    for source in app_module.app.event_sources:
        if not isinstance(source, DynamoDBEventConfig):
            continue
        found.append(
            StreamMapping(
                name=source.name,
                handler=getattr(app_module, source.handler_string.rsplit(".", 1)[1]),
                stream_arn=source.stream_arn,
                batch_size=source.batch_size,
                starting_position=source.starting_position,
                batching_window=float(source.maximum_batching_window_in_seconds),
                streams=streams,
            )
        )
    return found


def run(mappings: list[StreamMapping], stop: threading.Event) -> None:
    """Poll every mapping until `stop` is set; sleep a little when nothing came."""
    while not stop.is_set():
        if not sum(mapping.poll_once() for mapping in mappings):
            stop.wait(IDLE_POLL_SECONDS)


def deliver(ready_file: Path, app_module: str = "app") -> None:
    """Deliver stream records to the handlers of `app_module` (in the current folder) until
    SIGTERM or SIGINT; create `ready_file` once every stream is tracked."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    module = importlib.import_module(app_module)
    mappings = mappings_of(module, boto3.client("dynamodbstreams"))
    if not mappings:
        print(f"{module.app.app_name}: no DynamoDB stream handlers", flush=True)
        ready_file.touch()
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for mapping in mappings:
        mapping.start()
        print(f"{module.app.app_name}: {mapping.name} <- {mapping.stream_arn}", flush=True)
    ready_file.touch()
    run(mappings, stop)


if __name__ == "__main__":
    # The dev server's child process for one service, not a command for people:
    # `python -m <project>_devkit.stream_delivery READY_FILE`, run in the service's
    # folder with the service's environment.
    deliver(Path(sys.argv[1]))
