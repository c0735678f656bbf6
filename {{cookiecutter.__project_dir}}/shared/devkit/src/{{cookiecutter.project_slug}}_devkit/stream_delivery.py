"""DynamoDB Stream records delivered to a service's handlers, as a Lambda event source mapping does.

The dev server runs `deliver` in a process of its own in each service's folder (see
the end of this module): it imports the service's `app`, finds the handlers
registered with `@app.on_dynamodb_record`, and for each one polls the stream its
registration names, batches up to `batch_size` records (waiting up to
`maximum_batching_window_in_seconds`), and calls the handler in this process.

Failures follow Lambda's documented rules for a mapping with ReportBatchItemFailures,
MaximumRetryAttempts and an on-failure destination (the service's stream failure
queue, stream_destination.py; without one, records are only logged and skipped):
- a handler that raises fails the whole batch: it is retried with backoff, whole and
  in order, up to MAX_RETRIES times, then its batch info goes to the destination and
  the batch is skipped (no bisecting: the deployed mapping bisects, this one does not);
- a handler that returns `{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}`
  has the records before the lowest reported one done; delivery retries from that
  record with backoff, and once the retries are spent sends that record's batch info
  to the destination, skips it and goes on with the records after it. An identifier
  that is empty, missing or not in the batch fails the whole batch, as in Lambda;
- a record that cannot be read or put in Lambda's shape is reported by sequence
  number and skipped (stream_pages.py);
- a failing DescribeStream or GetRecords (a trimmed iterator, a local cloud that
  restarts) is reported and tried again, from the last record delivered.
Nothing of a record's data is logged: only names, counts and sequence numbers.
"""

from __future__ import annotations

import argparse
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

from .stream_destination import DiscardedBatch, QueueDestination, function_arn, invocation_record
from .stream_pages import PageReader

MAX_RETRIES = 3
FIRST_BACKOFF_SECONDS = 0.5
# Backoff after a DescribeStream or GetRecords error, doubled per error in a row.
MAX_ERROR_BACKOFF_SECONDS = 10.0
IDLE_POLL_SECONDS = 0.25
Handler = Callable[[dict[str, Any], Any], Any]
LOG = logging.getLogger(__name__)
# `_attempt`'s answer when the whole batch failed (the handler raised, or an answer
# Lambda would read as a complete failure).
WHOLE_BATCH = -1
# Receives Lambda's invocation record of each batch given up on (stream_destination.py).
OnFailure = Callable[[dict[str, Any]], None]


@dataclass
class DeliveryStats:
    """What one mapping has done; handy in tests and in the shutdown line."""

    batches: int = 0
    records: int = 0
    retries: int = 0
    dropped_batches: int = 0
    skipped_records: int = 0
    read_errors: int = 0
    # Batches whose info went to the on-failure destination, and sends that failed.
    sent_to_destination: int = 0
    destination_errors: int = 0


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
    on_failure: OnFailure | None = None
    clock: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC)
    # Per shard: where the next GetRecords reads (None: a closed shard read to its end),
    # and the last sequence number done with, to read on from after an error.
    _iterators: dict[str, str | None] = field(default_factory=dict)
    _checkpoints: dict[str, str] = field(default_factory=dict)
    _errors_in_a_row: int = 0
    _reader: PageReader | None = None
    _handler_raised: bool = False

    def start(self) -> None:
        """Take the shards' starting positions; records written from now on will come."""
        self._refresh_shards()

    def error_backoff(self) -> float:
        """How long to wait before the next poll after errors in a row (0 without one)."""
        if not self._errors_in_a_row:
            return 0.0
        return min(MAX_ERROR_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2.0**self._errors_in_a_row)

    def _refresh_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id in self._iterators:
                continue
            checkpoint = self._checkpoints.get(shard_id)
            position: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": checkpoint}
                if checkpoint
                else {"ShardIteratorType": self.starting_position}
            )
            self._iterators[shard_id] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, **position
            )["ShardIterator"]

    def poll_once(self) -> int:
        """Fetch one batch per shard and deliver it; return how many records were delivered.

        Errors of the stream's API are logged and leave the shard to be read again, from
        its last checkpoint, at the next poll: they never end the polling.
        """
        try:
            self._refresh_shards()
        except Exception as error:
            self._read_failed("DescribeStream", error)
            return 0
        delivered = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue  # a closed shard, read to its end
            try:
                records, next_iterator, last_sequence = self._fetch(iterator)
            except Exception as error:
                # A fresh iterator, after the checkpoint, at the next poll: the old one
                # may have expired or point at trimmed records.
                del self._iterators[shard_id]
                self._read_failed("GetRecords", error)
                continue
            self._errors_in_a_row = 0
            if records:
                self._deliver(shard_id, records)
                delivered += len(records)
            if last_sequence:
                self._checkpoints[shard_id] = last_sequence
            self._iterators[shard_id] = next_iterator
        return delivered

    def _read_failed(self, operation: str, error: Exception) -> None:
        self._errors_in_a_row += 1
        self.stats.read_errors += 1
        LOG.warning("%s: %s failed (%s: %s); trying again in %.1f s", self.name, operation,
                    type(error).__name__, error, self.error_backoff())  # fmt: skip

    def _fetch(self, iterator: str) -> tuple[list[dict[str, Any]], str | None, str]:
        """Up to `batch_size` records in Lambda's shape, the next iterator, and the
        sequence number of the last record read (delivered or skipped)."""
        if self._reader is None:
            self._reader = PageReader(self.streams)
        records: list[dict[str, Any]] = []
        read: list[str] = []
        current: str | None = iterator
        deadline = time.monotonic() + self.batching_window
        while current is not None:
            page = self._reader.read(current, self.batch_size - len(records))
            for sequence in page.unreadable:
                self._skip(sequence, "botocore could not parse it")
            read += page.unreadable
            for record in page.records:
                read.append(_sequence_number(record))
                try:
                    records.append(lambda_record(record, self.stream_arn))
                except Exception as error:
                    why = f"not convertible to Lambda's shape ({type(error).__name__})"
                    self._skip(_sequence_number(record), why)
            current = page.next_iterator
            if len(records) >= self.batch_size or time.monotonic() >= deadline:
                break
            self.sleep(min(IDLE_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        return records, current, max(read, key=_as_number, default="")

    def _skip(self, sequence: str, why: str) -> None:
        self.stats.skipped_records += 1
        LOG.error("%s: skipped record %s: %s", self.name, sequence or "(no sequence number)", why)

    def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        """Deliver a batch until every record is done or skipped."""
        batch, retries, backoff = records, 0, FIRST_BACKOFF_SECONDS
        while batch:
            failed_at = self._attempt(batch, retries)
            if failed_at is None:
                self.stats.batches += 1
                self.stats.records += len(batch)
                return
            if failed_at > 0:
                # The records before the reported one are done: the checkpoint moves,
                # and the retries start over from there.
                self.stats.records += failed_at
                batch, retries, backoff = batch[failed_at:], 0, FIRST_BACKOFF_SECONDS
            if retries < MAX_RETRIES:
                retries += 1
                self.stats.retries += 1
                self.sleep(backoff)
                backoff *= 2
                continue
            if failed_at == WHOLE_BATCH:
                self.stats.dropped_batches += 1
                LOG.error("%s: dropped a batch of %d records after %d retries",
                          self.name, len(batch), MAX_RETRIES)  # fmt: skip
                self._discard(shard_id, batch)
                return
            self._skip(
                _sequence_number(batch[0]), f"still reported failed after {MAX_RETRIES} retries"
            )
            self._discard(shard_id, batch[:1])
            batch, retries, backoff = batch[1:], 0, FIRST_BACKOFF_SECONDS

    def _discard(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        """Send the batch info of `records` to the on-failure destination, as Lambda does.

        A destination that cannot be reached is logged, never raised: the poller goes on.
        """
        if self.on_failure is None:
            return
        discarded = DiscardedBatch(
            self.stream_arn, shard_id, records, self._handler_raised, MAX_RETRIES + 1
        )
        record = invocation_record(
            discarded, function_arn(self.stream_arn, self.name), self.clock()
        )
        info = record["DDBStreamBatchInfo"]
        try:
            self.on_failure(record)
        except Exception as error:
            self.stats.destination_errors += 1
            LOG.error("%s: could not send the batch info of records %s to %s to the on-failure "
                      "destination (%s)", self.name, info["startSequenceNumber"],
                      info["endSequenceNumber"], type(error).__name__)  # fmt: skip
            return
        self.stats.sent_to_destination += 1
        LOG.error("%s: sent the batch info of records %s to %s to the on-failure destination",
                  self.name, info["startSequenceNumber"], info["endSequenceNumber"])  # fmt: skip

    def _attempt(self, batch: list[dict[str, Any]], retries: int) -> int | None:
        """Call the handler once: None when every record is done, else the index of the
        first record to retry from, or WHOLE_BATCH."""
        self._handler_raised = False
        try:
            answer = self.handler({"Records": batch}, _Context(self.name))
        except Exception:
            self._handler_raised = True
            LOG.error("%s failed on a batch of %d records (attempt %d of %d):\n%s",
                      self.name, len(batch), retries + 1, MAX_RETRIES + 1,
                      traceback.format_exc(limit=3))  # fmt: skip
            return WHOLE_BATCH
        sequences = [_sequence_number(record) for record in batch]
        failed_at = first_failed(answer, sequences)
        if failed_at is not None:
            which = "the whole batch" if failed_at == WHOLE_BATCH else sequences[failed_at]
            LOG.error("%s reported %s failed (attempt %d of %d)",
                      self.name, which, retries + 1, MAX_RETRIES + 1)  # fmt: skip
        return failed_at


def first_failed(answer: Any, sequences: list[str]) -> int | None:
    """Where Lambda checkpoints given a handler's answer for records of `sequences`.

    None: the batch is done (no answer, no or an empty `batchItemFailures`). Else the
    index of the record with the lowest reported sequence number, or WHOLE_BATCH when
    an identifier is empty, missing or names no record of the batch.
    """
    if not isinstance(answer, dict):
        return None
    failures = answer.get("batchItemFailures")
    if not failures:
        return None
    indexes = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in sequences:
            return WHOLE_BATCH
        indexes.append(sequences.index(identifier))
    # Sequence numbers grow along a shard, and the batch is in stream order.
    return min(indexes)


def _sequence_number(record: Any) -> str:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    sequence = change.get("SequenceNumber") if isinstance(change, dict) else None
    return sequence if isinstance(sequence, str) else ""


def _as_number(sequence: str) -> int:
    # Sequence numbers are decimal strings of varying length: compare them as numbers.
    return int(sequence) if sequence.isdigit() else -1


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


def mappings_of(
    app_module: Any, streams: Any, on_failure: OnFailure | None = None
) -> list[StreamMapping]:
    """A mapping for each `@app.on_dynamodb_record` handler of a Chalice app module, each
    sending what it gives up on to `on_failure`."""
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
                on_failure=on_failure,
            )
        )
    return found


def run(mappings: list[StreamMapping], stop: threading.Event) -> None:
    """Poll every mapping until `stop` is set; sleep a little when nothing came."""
    while not stop.is_set():
        delivered = 0
        for mapping in mappings:
            try:
                delivered += mapping.poll_once()
            except Exception:
                LOG.exception("%s: polling failed; trying again", mapping.name)
        if not delivered:
            pause = max(mapping.error_backoff() for mapping in mappings)
            stop.wait(max(IDLE_POLL_SECONDS, pause))


def deliver(ready_file: Path, app_module: str = "app", on_failure_queue_url: str = "") -> None:
    """Deliver stream records to the handlers of `app_module` (in the current folder) until
    SIGTERM or SIGINT; create `ready_file` once every stream is tracked. Batches given
    up on go to the SQS queue at `on_failure_queue_url`, if any."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    module = importlib.import_module(app_module)
    destination = (
        QueueDestination(boto3.client("sqs"), on_failure_queue_url)
        if on_failure_queue_url
        else None
    )
    mappings = mappings_of(module, boto3.client("dynamodbstreams"), destination)
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
    if destination is not None:
        print(f"{module.app.app_name}: on failure -> {destination.queue_url}", flush=True)
    ready_file.touch()
    run(mappings, stop)


if __name__ == "__main__":
    # The dev server's child process for one service, not a command for people:
    # `python -m <project>_devkit.stream_delivery READY_FILE [--on-failure-queue URL]`,
    # run in the service's folder with the service's environment.
    parser = argparse.ArgumentParser(prog="stream_delivery")
    parser.add_argument("ready_file", type=Path)
    parser.add_argument("--on-failure-queue", default="")
    arguments = parser.parse_args()
    deliver(arguments.ready_file, on_failure_queue_url=arguments.on_failure_queue)
