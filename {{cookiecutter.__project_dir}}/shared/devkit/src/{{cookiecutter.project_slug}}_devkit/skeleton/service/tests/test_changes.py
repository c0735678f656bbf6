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


def _record(change: str, record_id: str) -> dict[str, Any]:
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
            "SequenceNumber": "100",
            "SizeBytes": 20,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def test_each_change_becomes_one_line() -> None:
    lines: list[str] = []
    settings = ServiceSettings(stage="t", service=SERVICE, region="us-east-1", table_name="t")
    wired = dataclasses.replace(
        build_dependencies(settings), changes=ChangeFeed(SERVICE, emit=lines.append)
    )
    event = {"Records": [_record("INSERT", "a"), _record("REMOVE", "b")]}
    with dependencies.override(wired), Client(app) as client:
        client.lambda_.invoke("on_record_change", event)
    assert [json.loads(line) for line in lines] == [
        {"message": "record changed", "service": SERVICE, "change": "INSERT", "id": "a"},
        {"message": "record changed", "service": SERVICE, "change": "REMOVE", "id": "b"},
    ]


def test_the_stream_arn_comes_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.delenv("APP_TABLE_STREAM_ARN", raising=False)
    assert table_stream_arn() == NO_STREAM
    arn = "arn:aws:dynamodb:eu-west-1:1:table/x/stream/2026"
    monkeypatch.setenv("APP_TABLE_STREAM_ARN", arn)
    assert table_stream_arn() == arn
