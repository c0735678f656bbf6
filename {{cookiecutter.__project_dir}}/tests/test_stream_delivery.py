"""Stream records reach handlers as an event source mapping delivers them: batched, retried,
failed records isolated by sequence number as Lambda's partial batch responses ask, and what
is given up on sent to the on-failure destination in Lambda's shape."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import types
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from chalice import Chalice
from chalice.app import DynamoDBEvent

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.cfn_template import stream_output_key
from {{ cookiecutter.project_slug }}_devkit.stream_delivery import (
    MAX_RETRIES,
    WHOLE_BATCH,
    StreamMapping,
    first_failed,
    mappings_of,
)
from {{ cookiecutter.project_slug }}_devkit.stream_destination import (
    DiscardedBatch,
    QueueDestination,
    invocation_record,
)


def _stream(project: ProjectConfig, resources: StageResources) -> tuple[str, str]:
    service = project.services[0]
    return resources.table_name(service), resources.outputs[stream_output_key(service)]


def _put(table: str, *ids: str, **extra: Any) -> None:
    dynamodb = boto3.client("dynamodb")
    for record_id in ids:
        dynamodb.put_item(TableName=table, Item={"id": {"S": record_id}, **extra})


def _ids(event: dict[str, Any]) -> list[str]:
    return [record["dynamodb"]["Keys"]["id"]["S"] for record in event["Records"]]


def _sequences(event: dict[str, Any]) -> dict[str, str]:
    return {
        record["dynamodb"]["Keys"]["id"]["S"]: record["dynamodb"]["SequenceNumber"]
        for record in event["Records"]
    }


def _mapping(
    name: str, handler: Any, arn: str, sleeps: list[float], **options: Any
) -> StreamMapping:
    settings = {"batch_size": 10, "starting_position": "LATEST", "batching_window": 0, **options}
    mapping = StreamMapping(name, handler, arn, streams=boto3.client("dynamodbstreams"),
                            sleep=sleeps.append, **settings)  # fmt: skip
    mapping.start()
    return mapping


@pytest.mark.integration
def test_a_failing_batch_is_retried_whole_and_in_order(
    project: ProjectConfig, stage_tables: StageResources
) -> None:
    table, arn = _stream(project, stage_tables)
    calls: list[list[str]] = []

    def flaky(event: dict[str, Any], context: Any) -> None:
        calls.append(_ids(event))
        if len(calls) <= 2:
            raise RuntimeError("downstream unavailable")

    sleeps: list[float] = []
    mapping = StreamMapping("flaky", flaky, arn, batch_size=2, starting_position="LATEST",
                            batching_window=0, streams=boto3.client("dynamodbstreams"),
                            sleep=sleeps.append)  # fmt: skip
    mapping.start()
    _put(table, "a", "b", "c")

    assert mapping.poll_once() == 2
    assert calls == [["a", "b"]] * 3
    assert sleeps == [0.5, 1.0]
    assert mapping.poll_once() == 1
    assert calls[-1] == ["c"]
    assert (mapping.stats.batches, mapping.stats.records, mapping.stats.retries) == (2, 3, 2)


@pytest.mark.integration
def test_a_batch_that_keeps_failing_is_reported_and_skipped(
    project: ProjectConfig, stage_tables: StageResources, caplog: pytest.LogCaptureFixture
) -> None:
    table, arn = _stream(project, stage_tables)
    calls: list[list[str]] = []

    def broken(event: dict[str, Any], context: Any) -> None:
        calls.append(_ids(event))
        raise ValueError("a bug")

    sleeps: list[float] = []
    sent: list[dict[str, Any]] = []
    mapping = StreamMapping("broken", broken, arn, batch_size=10, starting_position="LATEST",
                            batching_window=0, streams=boto3.client("dynamodbstreams"),
                            sleep=sleeps.append, on_failure=sent.append)  # fmt: skip
    mapping.start()
    _put(table, "x", "x2")

    mapping.poll_once()
    assert calls == [["x", "x2"]] * (MAX_RETRIES + 1)
    assert sleeps == [0.5, 1.0, 2.0]
    assert mapping.stats.dropped_batches == 1
    assert "broken: dropped a batch of 2 records after 3 retries" in caplog.text
    # The whole batch's place in its shard goes to the on-failure destination.
    ((record),) = sent
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 2
    assert int(info["startSequenceNumber"]) < int(info["endSequenceNumber"])
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert mapping.stats.sent_to_destination == 1
    _put(table, "y")
    mapping.poll_once()
    assert calls[-1] == ["y"]  # the stream moves on


@pytest.mark.integration
def test_a_chalice_handler_gets_the_records_as_lambda_sends_them(
    project: ProjectConfig, stage_tables: StageResources
) -> None:
    table, arn = _stream(project, stage_tables)
    app = Chalice(app_name="stream-test")
    seen: list[tuple[str, dict[str, Any], datetime.datetime]] = []

    @app.on_dynamodb_record(stream_arn=arn, batch_size=5, starting_position="TRIM_HORIZON")
    def on_change(event: DynamoDBEvent) -> None:
        for record in event:
            # Chalice parses epoch seconds here; boto3's datetime would make it raise.
            seen.append((record.event_name, record.keys, record.timestamp))

    module = types.SimpleNamespace(app=app, on_change=on_change)
    (mapping,) = mappings_of(module, boto3.client("dynamodbstreams"))
    assert (mapping.name, mapping.batch_size) == ("on_change", 5)
    mapping.start()
    _put(table, "k")
    mapping.poll_once()
    ((change, keys, created),) = seen
    assert (change, keys) == ("INSERT", {"id": {"S": "k"}})
    assert created.year >= 2026


@pytest.mark.integration
def test_a_record_reported_failed_once_is_retried_from_its_sequence_number(
    project: ProjectConfig, stage_tables: StageResources
) -> None:
    table, arn = _stream(project, stage_tables)
    calls: list[list[str]] = []

    def fails_b_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(_ids(event))
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": _sequences(event)["b"]}]}
        return {"batchItemFailures": []}

    sleeps: list[float] = []
    mapping = _mapping("once", fails_b_once, arn, sleeps)
    _put(table, "a", "b", "c")

    assert mapping.poll_once() == 3
    # Lambda checkpoints before the reported record: "a" is done, "b" and "c" come again.
    assert calls == [["a", "b", "c"], ["b", "c"]]
    assert sleeps == [0.5]
    assert (mapping.stats.records, mapping.stats.retries, mapping.stats.skipped_records) == (
        3,
        1,
        0,
    )


@pytest.mark.integration
def test_a_record_that_keeps_failing_is_skipped_by_sequence_number_and_the_rest_delivered(
    project: ProjectConfig, stage_tables: StageResources, caplog: pytest.LogCaptureFixture
) -> None:
    table, arn = _stream(project, stage_tables)
    calls: list[list[str]] = []
    poison: list[str] = []

    def rejects_b(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(_ids(event))
        sequences = _sequences(event)
        if "b" not in sequences:
            return {}
        poison[:] = [sequences["b"]]
        # Two failures reported: Lambda retries from the lowest sequence number.
        failed = [sequences[key] for key in ("c", "b") if key in sequences]
        return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}

    sleeps: list[float] = []
    sent: list[dict[str, Any]] = []
    mapping = _mapping("rejects", rejects_b, arn, sleeps, on_failure=sent.append)
    _put(table, "a", "b", "c")

    mapping.poll_once()
    assert calls == [["a", "b", "c"]] + [["b", "c"]] * MAX_RETRIES + [["c"]]
    assert sleeps == [0.5, 1.0, 2.0]
    assert mapping.stats.skipped_records == 1
    assert f"rejects: skipped record {poison[0]}: still reported failed after 3 retries" in (
        caplog.text
    )
    # Only the record given up on goes to the destination, by its sequence number.
    ((record),) = sent
    info = record["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == (poison[0], poison[0])
    assert (info["batchSize"], info["streamArn"]) == (1, arn)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert "functionError" not in record["responseContext"]  # it answered, reporting b


@pytest.mark.integration
def test_a_failure_queue_gets_lambdas_invocation_record_and_a_broken_one_stops_nothing(
    project: ProjectConfig, stage_tables: StageResources, aws_clients: Any
) -> None:
    table, arn = _stream(project, stage_tables)
    sqs = aws_clients("sqs")
    url = sqs.create_queue(QueueName=f"{stage_tables.stage}-stream-failures")["QueueUrl"]
    try:
        calls: list[list[str]] = []

        def rejects_p(event: dict[str, Any], context: Any) -> dict[str, Any]:
            calls.append(_ids(event))
            failed = [number for key, number in _sequences(event).items() if key == "p"]
            return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}

        mapping = _mapping("queued", rejects_p, arn, [], on_failure=QueueDestination(sqs, url))
        _put(table, "p", "q")
        mapping.poll_once()
        (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
        info = json.loads(message["Body"])["DDBStreamBatchInfo"]
        assert info["batchSize"] == 1
        assert calls[-1] == ["q"]
        # A destination that cannot be reached is reported; the stream goes on.
        sqs.delete_queue(QueueUrl=url)
        _put(table, "p", "r")
        mapping.poll_once()
        assert calls[-1] == ["r"]
        assert (mapping.stats.sent_to_destination, mapping.stats.destination_errors) == (1, 1)
    finally:
        with contextlib.suppress(sqs.exceptions.QueueDoesNotExist):
            sqs.delete_queue(QueueUrl=url)


def test_the_invocation_record_has_lambdas_shape_and_no_record_data() -> None:
    arn = "arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026"
    first = {"SequenceNumber": _number(5), "ApproximateCreationDateTime": 1_795_000_000.0,
             "NewImage": {"secret": {"S": "personal-value"}}}  # fmt: skip
    last = {"SequenceNumber": _number(7), "ApproximateCreationDateTime": 1_795_000_009.0}
    records = [{"dynamodb": first}, {"dynamodb": last}]
    now = datetime.datetime(2026, 12, 3, 14, 5, 6, 789_000, tzinfo=datetime.UTC)
    record = invocation_record(
        DiscardedBatch(arn, SHARD, records, handler_raised=False, attempts=4),
        "arn:aws:lambda:eu-west-1:000000000000:function:f",
        now,
        request_id=lambda: "r-1",
    )
    assert record == {
        "requestContext": {
            "requestId": "r-1",
            "functionArn": "arn:aws:lambda:eu-west-1:000000000000:function:f",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 4,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "version": "1.0",
        "timestamp": "2026-12-03T14:05:06.789Z",
        "DDBStreamBatchInfo": {
            "shardId": SHARD,
            "startSequenceNumber": _number(5),
            "endSequenceNumber": _number(7),
            "approximateArrivalOfFirstRecord": "2026-11-18T11:06:40Z",
            "approximateArrivalOfLastRecord": "2026-11-18T11:06:49Z",
            "batchSize": 2,
            "streamArn": arn,
        },
    }
    assert "personal-value" not in json.dumps(record)


@pytest.mark.integration
def test_a_record_botocore_cannot_read_is_skipped_and_the_poller_goes_on(
    project: ProjectConfig, stage_tables: StageResources, caplog: pytest.LogCaptureFixture
) -> None:
    # The local cloud drops the empty key ({"M": {"": ...}} comes back as {"M": {"N": ..}}),
    # which botocore cannot parse: the bug that once stopped `invoke dev`.
    table, arn = _stream(project, stage_tables)
    calls: list[list[str]] = []
    sleeps: list[float] = []
    mapping = _mapping("reader", lambda event, context: calls.append(_ids(event)), arn, sleeps)
    _put(table, "a")
    _put(table, "weird", data={"M": {"": {"N": "1"}}})
    _put(table, "c")

    assert mapping.poll_once() == 2
    assert calls == [["a", "c"]]
    assert mapping.stats.skipped_records == 1
    (skipped,) = [line for line in caplog.messages if "skipped record" in line]
    assert re.fullmatch(r"reader: skipped record \d+: botocore could not parse it", skipped)
    _put(table, "d")
    mapping.poll_once()
    assert calls[-1] == ["d"]


def test_lambdas_checkpoint_is_the_lowest_reported_sequence_number() -> None:
    sequences = ["9", "10", "200"]
    assert first_failed(None, sequences) is None
    assert first_failed({}, sequences) is None
    assert first_failed({"batchItemFailures": None}, sequences) is None
    assert first_failed({"batchItemFailures": []}, sequences) is None
    two = [{"itemIdentifier": "200"}, {"itemIdentifier": "10"}]
    assert first_failed({"batchItemFailures": two}, sequences) == 1
    # Lambda reads these as the whole batch failed.
    for failures in ([{"itemIdentifier": ""}], [{"itemIdentifier": None}], [{"id": "9"}],
                     [{"itemIdentifier": "11"}], ["9"]):  # fmt: skip
        assert first_failed({"batchItemFailures": failures}, sequences) == WHOLE_BATCH


SHARD = "shardId-00000000000000000000-00000001"


def _number(position: int) -> str:
    """A sequence number as DynamoDB Streams writes them (21 digits or more)."""
    return str(10**20 + position)


def _stream_record(position: int) -> dict[str, Any]:
    return {
        "eventID": f"e{position}",
        "eventName": "INSERT",
        "dynamodb": {"Keys": {"id": {"S": str(position)}}, "SequenceNumber": _number(position),
                     "SizeBytes": 9, "StreamViewType": "KEYS_ONLY"},
    }  # fmt: skip


def test_read_errors_and_unreadable_records_never_stop_the_poller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    arn = "arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026"
    streams = boto3.client("dynamodbstreams", region_name="eu-west-1")
    shard = {"StreamDescription": {"Shards": [{"ShardId": SHARD}]}}
    delivered: list[list[str]] = []
    with Stubber(streams) as stub:
        stub.add_client_error("describe_stream", "InternalServerError")
        stub.add_response("describe_stream", shard)
        stub.add_response(
            "get_shard_iterator",
            {"ShardIterator": "iterator-1-" + "x" * 10},
            {"StreamArn": arn, "ShardId": SHARD, "ShardIteratorType": "LATEST"},
        )
        broken = {"eventID": "e2", "eventName": "INSERT"}  # no dynamodb section
        stub.add_response(
            "get_records",
            {
                "Records": [_stream_record(1), broken, _stream_record(3)],
                "NextShardIterator": "iterator-2-" + "x" * 10,
            },
        )
        stub.add_response("describe_stream", shard)
        stub.add_client_error("get_records", "ExpiredIteratorException")
        stub.add_response("describe_stream", shard)
        # Read again after the last record done with, as Lambda resumes from its checkpoint.
        stub.add_response(
            "get_shard_iterator",
            {"ShardIterator": "iterator-3-" + "x" * 10},
            {
                "StreamArn": arn,
                "ShardId": SHARD,
                "SequenceNumber": _number(3),
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
            },
        )
        stub.add_response("get_records", {"Records": [_stream_record(4)]})
        mapping = StreamMapping("stubbed", lambda event, context: delivered.append(_ids(event)),
                                arn, 10, "LATEST", 0, streams)  # fmt: skip

        assert mapping.poll_once() == 0  # DescribeStream failed: nothing read, nothing raised
        assert mapping.error_backoff() > 0
        assert mapping.poll_once() == 2
        assert mapping.error_backoff() == 0
        assert mapping.poll_once() == 0  # the expired iterator
        assert mapping.poll_once() == 1
        stub.assert_no_pending_responses()
    assert delivered == [["1", "3"], ["4"]]
    assert (mapping.stats.skipped_records, mapping.stats.read_errors) == (1, 2)
    assert "stubbed: skipped record (no sequence number): not convertible" in caplog.text
