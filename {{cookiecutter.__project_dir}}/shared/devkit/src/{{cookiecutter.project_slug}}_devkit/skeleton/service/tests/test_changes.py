"""The table's stream handler: each change to every projection, in order, through the deployed
entry point; the first record that fails reported to Lambda, logged without its data."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_data import Change

from app import app
from chalicelib.changes import NO_STREAM, ChangeFeed, table_stream_arn
from chalicelib.composition import build_dependencies, dependencies

SERVICE = "__service__"


def _record(change: str, record_id: str, sequence: str = "100") -> dict[str, Any]:
    """A DynamoDB stream record as Lambda delivers it."""
    return {
        "eventID": f"e{sequence}",
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


@dataclasses.dataclass
class Recording:
    """A projection that keeps what it was given and fails for the ids in `fail_for`."""

    name: str
    seen: list[tuple[str, str]]
    fail_for: frozenset[str] = frozenset()

    def apply(self, change: Change) -> None:
        if change.record_id in self.fail_for:
            raise RuntimeError("downstream refused")
        self.seen.append((self.name, change.record_id))


def _invoke(event: dict[str, Any], *projections: Recording) -> tuple[Any, list[dict[str, Any]]]:
    """The deployed entry point's answer to `event`, and the lines it wrote."""
    lines: list[str] = []
    settings = ServiceSettings(stage="t", service=SERVICE, region="us-east-1", table_name="t")
    wired = dataclasses.replace(
        build_dependencies(settings), changes=ChangeFeed(SERVICE, projections, emit=lines.append)
    )
    with dependencies.override(wired), Client(app) as client:
        response = client.lambda_.invoke("on_record_change", event)
    return response.payload, [json.loads(line) for line in lines]


def test_each_change_reaches_every_projection_in_order() -> None:
    seen: list[tuple[str, str]] = []
    event = {"Records": [_record("INSERT", "a", "100"), _record("REMOVE", "b", "200")]}
    payload, lines = _invoke(event, Recording("first", seen), Recording("second", seen))
    assert payload == {"batchItemFailures": []}
    assert seen == [("first", "a"), ("second", "a"), ("first", "b"), ("second", "b")]
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
    seen: list[tuple[str, str]] = []
    bad = _record("MODIFY", "b", sequence="200")
    bad["dynamodb"]["NewImage"] = {"id": {"S": "b"}, "data": {"S": personal}}
    event = {"Records": [_record("INSERT", "a", "100"), bad, _record("INSERT", "c", "300")]}
    payload, lines = _invoke(
        event, Recording("log", seen), Recording("index", seen, fail_for=frozenset({"b"}))
    )
    assert payload == {"batchItemFailures": [{"itemIdentifier": "200"}]}
    assert seen == [("log", "a"), ("index", "a"), ("log", "b")]
    changed, failed, summary = lines
    assert (changed["message"], changed["id"]) == ("record changed", "a")
    assert failed == {
        "level": "ERROR",
        "message": "stream record failed",
        "service": SERVICE,
        "sequence_number": "200",
        "projection": "index",
        "error": "RuntimeError",
        "where": failed["where"],
    }
    assert failed["where"].startswith("test_changes.py:")
    assert (summary["processed"], summary["failed"], summary["not_attempted"]) == (1, 1, 1)
    assert personal not in json.dumps(lines)


def test_records_that_are_no_change_are_reported_not_raised() -> None:
    # Chalice's own DynamoDBEvent iterator raises KeyError on some of these; the handler
    # must answer for them record by record, before any projection sees them.
    no_section = {k: v for k, v in _record("INSERT", "x", "400").items() if k != "dynamodb"}
    no_sequence = _record("INSERT", "y")
    del no_sequence["dynamodb"]["SequenceNumber"]
    number_key = _record("INSERT", "z", "500")
    number_key["dynamodb"]["Keys"] = {"id": {"N": "7"}}
    cases = ((no_section, ""), (no_sequence, ""), ("not a record", ""), (number_key, "500"))
    seen: list[tuple[str, str]] = []
    for record, identifier in cases:
        payload, lines = _invoke({"Records": [record]}, Recording("log", seen))
        assert payload == {"batchItemFailures": [{"itemIdentifier": identifier}]}
        assert (lines[0]["level"], lines[0]["projection"]) == ("ERROR", "parse")
        assert lines[0]["error"] == "MalformedChange"
    assert seen == []
    assert _invoke({})[0] == {"batchItemFailures": []}


def test_the_stream_arn_comes_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.delenv("APP_TABLE_STREAM_ARN", raising=False)
    assert table_stream_arn() == NO_STREAM
    arn = "arn:aws:dynamodb:eu-west-1:1:table/x/stream/2026"
    monkeypatch.setenv("APP_TABLE_STREAM_ARN", arn)
    assert table_stream_arn() == arn
