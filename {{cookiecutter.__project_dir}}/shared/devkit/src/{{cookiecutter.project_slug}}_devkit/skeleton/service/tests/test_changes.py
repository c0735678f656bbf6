"""The table's stream handler: one JSON line per change, through the deployed entry point."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings

from app import app
from chalicelib.changes import NO_STREAM, ChangeFeed, table_stream_arn
from chalicelib.composition import build_dependencies, dependencies

SERVICE = "__service__"


def _record(change: str, record_id: str, sequence: str = "100") -> dict[str, Any]:
    """A DynamoDB stream record as Lambda delivers it."""
    return {
        "eventID": "1",
        "eventName": change,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": NO_STREAM,
        "dynamodb": {
            "ApproximateCreationDateTime": 1_795_000_000.0,
            "Keys": {"id": {"S": record_id}},
            "SequenceNumber": sequence,
            "SizeBytes": 20,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def _invoke(event: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The deployed entry point's answer to `event`, and the lines it wrote."""
    lines: list[str] = []
    settings = ServiceSettings(stage="t", service=SERVICE, region="us-east-1", table_name="t")
    wired = dataclasses.replace(
        build_dependencies(settings), changes=ChangeFeed(SERVICE, emit=lines.append)
    )
    with dependencies.override(wired), Client(app) as client:
        response = client.lambda_.invoke("on_record_change", event)
    return response.payload, [json.loads(line) for line in lines]


def test_each_change_becomes_one_line() -> None:
    payload, lines = _invoke({"Records": [_record("INSERT", "a"), _record("REMOVE", "b")]})
    assert payload == {"batchItemFailures": []}
    assert lines == [
        {"message": "record changed", "service": SERVICE, "change": "INSERT", "id": "a"},
        {"message": "record changed", "service": SERVICE, "change": "REMOVE", "id": "b"},
        {"level": "INFO", "message": "stream batch handled", "service": SERVICE,
         "processed": 2, "failed": 0, "not_attempted": 0},
    ]  # fmt: skip


def test_the_first_record_that_fails_is_reported_to_lambda_and_logged_without_its_data() -> None:
    # Lambda retries from the lowest reported sequence number, so the records after
    # the failed one are left for that retry: a key's changes stay in order.
    personal = "personal-value-7f3a"
    bad = _record("MODIFY", "b", sequence="200")
    bad["dynamodb"]["Keys"] = {"id": {"N": personal}}  # not the key shape the reaction reads
    event = {"Records": [_record("INSERT", "a", "100"), bad, _record("INSERT", "c", "300")]}
    payload, lines = _invoke(event)
    assert payload == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    assert [line.get("id") for line in lines if line["message"] == "record changed"] == ["a"]
    failed, summary = lines[1:]
    assert failed == {
        "level": "ERROR",
        "message": "stream record failed",
        "service": SERVICE,
        "sequence_number": "200",
        "error": "KeyError",
        "where": failed["where"],
    }
    assert failed["where"].startswith("changes.py:")
    assert (summary["processed"], summary["failed"], summary["not_attempted"]) == (1, 1, 1)
    assert personal not in json.dumps(lines)


def test_records_chalice_cannot_read_are_reported_not_raised() -> None:
    # Chalice's own DynamoDBEvent iterator raises KeyError on these; the handler must
    # answer for them record by record.
    no_section = {k: v for k, v in _record("INSERT", "x", "400").items() if k != "dynamodb"}
    no_sequence = _record("INSERT", "y")
    del no_sequence["dynamodb"]["SequenceNumber"]
    for record, identifier in ((no_section, ""), (no_sequence, ""), ("not a record", "")):
        payload, lines = _invoke({"Records": [record]})
        assert payload == {"batchItemFailures": [{"itemIdentifier": identifier}]}
        assert lines[0]["level"] == "ERROR"
    assert _invoke({})[0] == {"batchItemFailures": []}


def test_the_stream_arn_comes_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.delenv("APP_TABLE_STREAM_ARN", raising=False)
    assert table_stream_arn() == NO_STREAM
    arn = "arn:aws:dynamodb:eu-west-1:1:table/x/stream/2026"
    monkeypatch.setenv("APP_TABLE_STREAM_ARN", arn)
    assert table_stream_arn() == arn
