"""POST /__service__/batch: many records in BatchWriteItem calls, answered item by item."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_data import RecordRepository, dynamodb_client
from {{ cookiecutter.project_slug }}_data.limits import MAX_BATCH_ITEMS

from chalicelib.composition import build_dependencies, dependencies
from chalicelib.records import RecordService

pytestmark = pytest.mark.integration


def _ids(client: Client, headers: dict[str, str]) -> set[str]:
    found: set[str] = set()
    token = None
    while True:
        query = "?limit=100" + (f"&next_token={token}" if token else "")
        page = client.http.get(f"/__service__{query}", headers=headers).json_body
        found |= {item["id"] for item in page["items"]}
        token = page["next_token"]
        if token is None:
            return found


def test_a_hundred_records_are_stored_in_one_request(
    client: Client, headers: dict[str, str]
) -> None:
    items = [{"n": n, "title": f"note {n}"} for n in range(MAX_BATCH_ITEMS)]
    response = client.http.post(
        "/__service__/batch",
        headers=headers,
        body=json.dumps({"items": items}),
    )

    assert response.status_code == 200, response.body
    body = response.json_body
    assert (body["stored"], body["not_stored"]) == (MAX_BATCH_ITEMS, 0)
    assert [entry["index"] for entry in body["items"]] == list(range(MAX_BATCH_ITEMS))
    assert [entry["record"]["data"] for entry in body["items"]] == items
    assert _ids(client, headers) == {entry["record"]["id"] for entry in body["items"]}


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"items": []}, "body.items must contain at least 1 items"),
        ({"items": [{}] * (MAX_BATCH_ITEMS + 1)}, "body.items must contain less than or equal"),
        ({"items": [{}], "extra": 1}, "body must not contain {'extra'}"),
        ({}, "body must contain ['items']"),
        ([{}], "JSON object"),
        ({"items": [{}, 5]}, "body.items[1] must be object"),
        ({"items": [{"ok": 1}, {"ok": 2}, {"n": 1e300}]}, "/items/2/n"),
        ({"items": [{"": 1}]}, "/items/0"),
    ],
)
def test_a_batch_with_any_bad_item_is_400_and_stores_nothing(
    client: Client, headers: dict[str, str], body: Any, names: str
) -> None:
    response = client.http.post("/__service__/batch", headers=headers, body=json.dumps(body))
    assert response.status_code == 400
    assert names in response.json_body["Message"]
    assert _ids(client, headers) == set()


class RefusingClient:
    """DynamoDB, except that it hands back every item whose data has `refuse` unprocessed."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        refused = [r for r in requests if "refuse" in r["PutRequest"]["Item"]["data"]["M"]]
        accepted = [r for r in requests if r not in refused]
        if accepted:
            self._real.batch_write_item(RequestItems={table: accepted})
        return {"UnprocessedItems": {table: refused} if refused else {}}


@pytest.fixture
def refusing_client(
    settings: ServiceSettings, contract_client: Callable[[], Client]
) -> Iterator[Client]:
    """The app with a table that keeps refusing some items, as a throttled partition would."""
    refusing: Any = RefusingClient(dynamodb_client(settings.region))
    records = RecordService(
        RecordRepository(refusing, settings.table_name), new_id=lambda: uuid.uuid4().hex
    )
    wired = dataclasses.replace(build_dependencies(settings), records=records)
    with dependencies.override(wired), contract_client() as test_client:
        yield test_client


def test_items_dynamodb_keeps_refusing_are_reported_by_index(
    refusing_client: Client, headers: dict[str, str]
) -> None:
    items = [{"n": 0}, {"n": 1, "refuse": True}, {"n": 2}]
    response = refusing_client.http.post(
        "/__service__/batch", headers=headers, body=json.dumps({"items": items})
    )
    body = response.json_body
    assert response.status_code == 200
    assert (body["stored"], body["not_stored"]) == (2, 1)
    assert [(entry["index"], entry["stored"]) for entry in body["items"]] == [
        (0, True),
        (1, False),
        (2, True),
    ]
    assert "record" not in body["items"][1]
    stored = {entry["record"]["id"] for entry in body["items"] if entry["stored"]}
    assert _ids(refusing_client, headers) == stored
