"""The batch writer ({{ cookiecutter.project_slug }}_data.batch_writes) against botocore's Stubber: no cloud needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from {{ cookiecutter.project_slug }}_data import BatchWriter, RetryPolicy
from {{ cookiecutter.project_slug }}_data.serialization import to_item

TABLE = "t"


def _items(*keys: str) -> list[dict[str, Any]]:
    return [to_item({"id": key, "n": index}) for index, key in enumerate(keys)]


def _puts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"PutRequest": {"Item": item}} for item in items]


def _never(seconds: float) -> None:
    raise AssertionError(f"waited {seconds} s with nothing to retry")


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_items_go_25_a_call(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    items = _items(*(f"k{n}" for n in range(60)))
    for chunk in (items[:25], items[25:50], items[50:]):
        stubber.add_response(
            "batch_write_item", {"UnprocessedItems": {}}, {"RequestItems": {TABLE: _puts(chunk)}}
        )
    outcome = BatchWriter(client, TABLE, sleep=_never).put_all(items)
    assert outcome.stored == [f"k{n}" for n in range(60)]
    assert outcome.unprocessed == []


def test_a_repeated_key_is_sent_once_the_last_item_winning(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    first, other, last = (
        to_item({"id": "a", "v": 1}),
        to_item({"id": "b"}),
        to_item({"id": "a", "v": 2}),
    )
    stubber.add_response(
        "batch_write_item",
        {"UnprocessedItems": {}},
        {"RequestItems": {TABLE: _puts([last, other])}},
    )
    outcome = BatchWriter(client, TABLE).put_all([first, other, last])
    assert outcome.stored == ["a", "b"]


def test_unprocessed_items_are_retried_with_capped_backoff(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    items = _items("a", "b", "c")
    stubber.add_response("batch_write_item", {"UnprocessedItems": {TABLE: _puts(items[1:])}},
                         {"RequestItems": {TABLE: _puts(items)}})  # fmt: skip
    stubber.add_response("batch_write_item", {"UnprocessedItems": {TABLE: _puts(items[2:])}},
                         {"RequestItems": {TABLE: _puts(items[1:])}})  # fmt: skip
    stubber.add_response("batch_write_item", {"UnprocessedItems": {}},
                         {"RequestItems": {TABLE: _puts(items[2:])}})  # fmt: skip
    waits: list[float] = []
    policy = RetryPolicy(attempts=6, first_delay=0.1, max_delay=0.15)
    writer = BatchWriter(client, TABLE, retry=policy, sleep=waits.append, draw=lambda: 1.0)
    outcome = writer.put_all(items)
    assert outcome.stored == ["a", "b", "c"]
    # Full jitter draws up to the backoff (here at its top); the cap holds it at 0.15.
    assert waits == [0.1, 0.15]


def test_after_its_attempts_it_reports_what_was_not_stored(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    items = _items("a", "b")
    stubber.add_response("batch_write_item", {"UnprocessedItems": {TABLE: _puts(items[:1])}},
                         {"RequestItems": {TABLE: _puts(items)}})  # fmt: skip
    for _ in range(2):
        stubber.add_response("batch_write_item", {"UnprocessedItems": {TABLE: _puts(items[:1])}},
                             {"RequestItems": {TABLE: _puts(items[:1])}})  # fmt: skip
    waits: list[float] = []
    outcome = BatchWriter(client, TABLE, retry=RetryPolicy(attempts=3), sleep=waits.append,
                          draw=lambda: 0.5).put_all(items)  # fmt: skip
    assert (outcome.stored, outcome.unprocessed) == (["b"], ["a"])
    assert waits == [0.025, 0.05]
