"""The streams pipeline on the local cloud: the table's stream, delivered as Lambda's event
source mapping delivers it (the devkit's stream delivery, as under `invoke dev`), to the
deployed handler, into the change log; what is given up on goes to the failure queue."""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_data import Change, ChangeLog, Projection, RecordRepository, dynamodb_client
from {{ cookiecutter.project_slug }}_devkit import StageResources
from {{ cookiecutter.project_slug }}_devkit.cfn_template import stream_output_key
from {{ cookiecutter.project_slug }}_devkit.stage_resources import ClientFactory
from {{ cookiecutter.project_slug }}_devkit.stream_delivery import MAX_RETRIES, StreamMapping
from {{ cookiecutter.project_slug }}_devkit.stream_destination import QueueDestination

from app import on_record_change
from chalicelib.changes import ChangeFeed
from chalicelib.composition import build_dependencies, dependencies

pytestmark = pytest.mark.integration
SERVICE = "__service__"


class Refuses:
    """A projection that raises for `record_id`: `times` times, or always (None)."""

    name = "refuses"

    def __init__(self, record_id: str, times: int | None) -> None:
        self._record_id = record_id
        self._left = times

    def apply(self, change: Change) -> None:
        if change.record_id != self._record_id or self._left == 0:
            return
        if self._left is not None:
            self._left -= 1
        raise RuntimeError("downstream refused")


@dataclasses.dataclass
class Pipeline:
    """The service's stream handler fed from its table by a local event source mapping."""

    mapping: StreamMapping
    events: list[dict[str, Any]]
    change_log: str
    settings: ServiceSettings

    def write(self, *record_ids: str) -> None:
        repository = RecordRepository(
            dynamodb_client(self.settings.region), self.settings.table_name
        )
        for record_id in record_ids:
            repository.create(record_id, {"note": record_id})

    def drain(self, expected: int) -> None:
        """Poll until `expected` records were done with (delivered or given up on)."""
        for _ in range(expected + 10):  # bounded: each poll delivers at least a record
            stats = self.mapping.stats
            if stats.records + stats.skipped_records >= expected:
                return
            self.mapping.poll_once()
        pytest.fail(f"the stream delivered {self.mapping.stats} of {expected} records")

    def sequences(self) -> dict[str, str]:
        """Each record id's sequence number, from the batches the handler was given."""
        return {
            record["dynamodb"]["Keys"]["id"]["S"]: record["dynamodb"]["SequenceNumber"]
            for event in self.events
            for record in event["Records"]
        }

    def logged(self) -> list[dict[str, Any]]:
        """Every item of the change log, in key order."""
        items = boto3.client("dynamodb").scan(TableName=self.change_log, ConsistentRead=True)
        return sorted(items["Items"], key=lambda item: (item["id"]["S"], item["sequence"]["S"]))


@pytest.fixture
def failure_queue(aws_clients: ClientFactory, stage_tables: StageResources) -> Iterator[str]:
    """This test's own stream failure queue (the stage stack makes one per service)."""
    sqs = aws_clients("sqs")
    url: str = sqs.create_queue(QueueName=f"{stage_tables.stage}-{SERVICE}-stream-failures")[
        "QueueUrl"
    ]
    try:
        yield url
    finally:
        sqs.delete_queue(QueueUrl=url)


def _pipeline(
    settings: ServiceSettings,
    stage_tables: StageResources,
    queue_url: str,
    projections: list[Projection],
) -> Pipeline:
    feed = ChangeFeed(SERVICE, projections, emit=lambda line: None)
    wired = dataclasses.replace(build_dependencies(settings), changes=feed)
    events: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        events.append(event)
        with dependencies.override(wired):
            return on_record_change(event, context)

    mapping = StreamMapping(
        "on_record_change",
        handler,
        stage_tables.outputs[stream_output_key(SERVICE)],
        batch_size=100,
        starting_position="LATEST",
        batching_window=0,
        streams=boto3.client("dynamodbstreams"),
        sleep=lambda seconds: None,  # backoff without waiting: retries are counted instead
        on_failure=QueueDestination(boto3.client("sqs"), queue_url),
    )
    mapping.start()
    return Pipeline(mapping, events, settings.change_log_table, settings)


def _change_log(settings: ServiceSettings) -> ChangeLog:
    return ChangeLog(dynamodb_client(settings.region), settings.change_log_table)


def test_a_record_failing_once_is_retried_and_the_log_holds_each_change_once(
    settings: ServiceSettings, stage_tables: StageResources, failure_queue: str
) -> None:
    ids = [f"r{number:03d}" for number in range(100)]
    # The change log comes first: record 37 is logged, then refused, then retried
    # from the log on, so its entry is written twice and must be kept once.
    pipeline = _pipeline(
        settings, stage_tables, failure_queue, [_change_log(settings), Refuses(ids[37], 1)]
    )
    pipeline.write(*ids)
    pipeline.drain(100)

    logged = pipeline.logged()
    assert collections.Counter(item["id"]["S"] for item in logged) == dict.fromkeys(ids, 1)
    assert {item["change"]["S"] for item in logged} == {"INSERT"}
    assert (pipeline.mapping.stats.retries, pipeline.mapping.stats.skipped_records) == (1, 0)
    # Lambda delivers at least once: the same batches again change nothing downstream.
    for event in list(pipeline.events):
        assert pipeline.mapping.handler(event, None) == {"batchItemFailures": []}
    assert pipeline.logged() == logged
    assert not boto3.client("sqs").receive_message(QueueUrl=failure_queue).get("Messages")


def test_a_record_that_always_fails_goes_to_the_failure_queue_and_the_rest_go_on(
    settings: ServiceSettings, stage_tables: StageResources, failure_queue: str
) -> None:
    ids = [f"p{number}" for number in range(10)]
    pipeline = _pipeline(
        settings, stage_tables, failure_queue, [Refuses(ids[4], None), _change_log(settings)]
    )
    pipeline.write(*ids)
    pipeline.drain(10)

    poison = pipeline.sequences()[ids[4]]
    (message,) = boto3.client("sqs").receive_message(QueueUrl=failure_queue)["Messages"]
    sent = json.loads(message["Body"])
    assert sent["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert sent["requestContext"]["approximateInvokeCount"] == MAX_RETRIES + 1
    info = sent["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (poison, poison)
    assert info["batchSize"] == 1
    assert info["streamArn"] == stage_tables.outputs[stream_output_key(SERVICE)]
    assert info["shardId"]
    assert "p4" not in message["Body"]  # batch info only, never the record
    assert [item["id"]["S"] for item in pipeline.logged()] == ids[:4] + ids[5:]

    # A poison record never stops the poller: later changes still arrive.
    pipeline.write("later")
    pipeline.drain(11)
    assert "later" in {item["id"]["S"] for item in pipeline.logged()}
    assert pipeline.mapping.stats.skipped_records == 1


def test_replaying_a_batch_leaves_the_change_log_unchanged(
    settings: ServiceSettings, stage_tables: StageResources
) -> None:
    # Sequence numbers of different lengths: the log keeps them in the stream's order.
    records = [_stream_record("a", "INSERT", "9"), _stream_record("a", "MODIFY", "10"),
               _stream_record("b", "REMOVE", "123456789012345678901")]  # fmt: skip
    change_log = _change_log(settings)
    feed = ChangeFeed(SERVICE, [change_log], emit=lambda line: None)
    assert feed.handle({"Records": records}) == {"batchItemFailures": []}
    first = boto3.client("dynamodb").scan(TableName=settings.change_log_table)["Items"]
    assert feed.handle({"Records": records}) == {"batchItemFailures": []}
    assert feed.handle({"Records": records[1:]}) == {"batchItemFailures": []}
    again = boto3.client("dynamodb").scan(TableName=settings.change_log_table)["Items"]
    key = json.dumps
    assert sorted(map(key, again)) == sorted(map(key, first))
    entries = change_log.entries("a")
    assert [(entry.sequence_number, entry.kind, entry.version) for entry in entries] == [
        ("9", "INSERT", 1),
        ("10", "MODIFY", 2),
    ]
    (removed,) = change_log.entries("b")
    assert (removed.kind, removed.version, removed.changed_at) == (
        "REMOVE",
        2,
        "2026-11-20T20:26:40Z",
    )


def _stream_record(record_id: str, kind: str, sequence: str) -> dict[str, Any]:
    version = {"INSERT": 1, "MODIFY": 2, "REMOVE": 2}[kind]
    image = {"id": {"S": record_id}, "version": {"N": str(version)}}
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": 1_795_206_400.0,
        "Keys": {"id": {"S": record_id}},
        "SequenceNumber": sequence,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    body["OldImage" if kind == "REMOVE" else "NewImage"] = image
    return {"eventID": f"e{sequence}", "eventName": kind, "dynamodb": body}
