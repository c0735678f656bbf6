"""Stream records reach handlers as an event source mapping delivers them: batched, retried."""

from __future__ import annotations

import datetime
import types
from typing import Any

import boto3
import pytest
from chalice import Chalice
from chalice.app import DynamoDBEvent

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.cfn_template import stream_output_key
from {{ cookiecutter.project_slug }}_devkit.stream_delivery import MAX_RETRIES, StreamMapping, mappings_of

pytestmark = pytest.mark.integration


def _stream(project: ProjectConfig, resources: StageResources) -> tuple[str, str]:
    service = project.services[0]
    return resources.table_name(service), resources.outputs[stream_output_key(service)]


def _put(table: str, *ids: str) -> None:
    dynamodb = boto3.client("dynamodb")
    for record_id in ids:
        dynamodb.put_item(TableName=table, Item={"id": {"S": record_id}})


def _ids(event: dict[str, Any]) -> list[str]:
    return [record["dynamodb"]["Keys"]["id"]["S"] for record in event["Records"]]


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


def test_a_batch_that_keeps_failing_is_reported_and_skipped(
    project: ProjectConfig, stage_tables: StageResources, caplog: pytest.LogCaptureFixture
) -> None:
    table, arn = _stream(project, stage_tables)
    calls: list[list[str]] = []

    def broken(event: dict[str, Any], context: Any) -> None:
        calls.append(_ids(event))
        raise ValueError("a bug")

    sleeps: list[float] = []
    mapping = StreamMapping("broken", broken, arn, batch_size=10, starting_position="LATEST",
                            batching_window=0, streams=boto3.client("dynamodbstreams"),
                            sleep=sleeps.append)  # fmt: skip
    mapping.start()
    _put(table, "x")

    mapping.poll_once()
    assert calls == [["x"]] * (MAX_RETRIES + 1)
    assert sleeps == [0.5, 1.0, 2.0]
    assert mapping.stats.dropped_batches == 1
    assert "broken: dropped a batch of 1 records after 3 retries" in caplog.text
    _put(table, "y")
    mapping.poll_once()
    assert calls[-1] == ["y"]  # the stream moves on


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
