"""The __service__ API end to end through Chalice's test client, on the local cloud."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

pytestmark = pytest.mark.integration


def _create(client: Client, headers: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    response = client.http.post("/__service__", headers=headers, body=json.dumps(data))
    assert response.status_code == 201, response.body
    body: dict[str, Any] = response.json_body
    return body


def test_create_then_read_returns_the_same_data(client: Client, headers: dict[str, str]) -> None:
    data = {"title": "first", "ratio": 0.25, "count": 3, "tags": ["a", "b"], "nested": {"ok": True}}
    created = client.http.post("/__service__", headers=headers, body=json.dumps(data))

    assert created.status_code == 201
    record = created.json_body
    assert created.headers["Location"] == f"/__service__/{record['id']}"
    assert created.headers["ETag"] == '"1"'
    fetched = client.http.get(f"/__service__/{record['id']}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.json_body == record
    assert fetched.json_body["data"] == data


def test_replace_bumps_the_version_and_honours_if_match(
    client: Client, headers: dict[str, str]
) -> None:
    record = _create(client, headers, {"title": "draft"})
    path = f"/__service__/{record['id']}"

    replaced = client.http.put(
        path, headers={**headers, "If-Match": '"1"'}, body=json.dumps({"title": "final"})
    )
    stale = client.http.put(
        path, headers={**headers, "If-Match": '"1"'}, body=json.dumps({"title": "lost update"})
    )

    assert replaced.status_code == 200
    assert replaced.json_body["version"] == 2
    assert replaced.json_body["data"] == {"title": "final"}
    assert stale.status_code == 409
    assert client.http.get(path, headers=headers).json_body["data"] == {"title": "final"}


def test_delete_removes_the_record(client: Client, headers: dict[str, str]) -> None:
    record = _create(client, headers, {"title": "short-lived"})
    path = f"/__service__/{record['id']}"

    assert client.http.delete(path, headers=headers).status_code == 204
    assert client.http.get(path, headers=headers).status_code == 404
    assert client.http.delete(path, headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("put", json.dumps({"a": 1})), ("delete", None)],
)
def test_missing_record_is_404(
    client: Client, headers: dict[str, str], method: str, body: str | None
) -> None:
    response = getattr(client.http, method)("/__service__/nope", headers=headers, body=body)
    assert response.status_code == 404
    assert response.json_body["Code"] == "NotFoundError"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json", "null"])
def test_a_body_that_is_not_a_json_object_is_400(
    client: Client, headers: dict[str, str], body: str
) -> None:
    response = client.http.post("/__service__", headers=headers, body=body)
    assert response.status_code == 400


def test_list_pages_through_every_record_once(client: Client, headers: dict[str, str]) -> None:
    ids = {_create(client, headers, {"n": n})["id"] for n in range(7)}

    seen: list[str] = []
    token = None
    for _ in range(10):
        query = "?limit=3" + (f"&next_token={token}" if token else "")
        page = client.http.get(f"/__service__{query}", headers=headers).json_body
        seen.extend(item["id"] for item in page["items"])
        token = page["next_token"]
        if token is None:
            break

    assert sorted(seen) == sorted(ids)


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?limit=x", "?next_token=garbage"])
def test_bad_list_parameters_are_400(client: Client, headers: dict[str, str], query: str) -> None:
    assert client.http.get(f"/__service__{query}", headers=headers).status_code == 400
