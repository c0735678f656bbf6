"""The __service__ API end to end through Chalice's test client, on the local cloud."""

from __future__ import annotations

import json
from decimal import Decimal
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


def _as_decimals(value: Any) -> Any:
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


def _nested(levels: int) -> str:
    """A body whose top object holds arrays nested so that it has `levels` levels in all."""
    return '{"a": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ('{"": 1}', "keys must not be empty"),
        ('{"a": {"b": [{"": true}]}}', "/a/b/0: object keys"),
        ('{"n": 1e200}', "between 1E-130"),
        ('{"n": 1e-200}', "between 1E-130"),
        ('{"n": 123456789012345678901234567890123456789}', "38 significant digits"),
        ('{"n": 1e400}', "finite"),
        ('{"n": NaN}', "not valid JSON"),
        ('{"n": -Infinity}', "not valid JSON"),
        ('{"s": "\\ud800"}', "valid Unicode"),
        ('{"\\udfff": 1}', "valid Unicode"),
        (_nested(33), "nest at most 32"),
        ('{"a": ' + "[" * 10_000 + "]" * 10_000 + "}", "nest at most 32"),
        ("{" + '"k": 1,' * 10_000 + '"k": 1}', "at most 65536 bytes"),
        ("[1, 2]", "JSON object"),
        ("\xff", "not valid JSON"),
    ],
)
def test_a_body_a_record_cannot_hold_is_a_400_that_names_the_rule(
    client: Client, headers: dict[str, str], body: str, names: str
) -> None:
    raw = body.encode("latin-1") if body == "\xff" else body.encode()
    created = client.http.post("/__service__", headers=headers, body=raw)
    record = _create(client, headers, {"title": "kept"})
    replaced = client.http.put(f"/__service__/{record['id']}", headers=headers, body=raw)

    for response in (created, replaced):
        assert response.status_code == 400, response.body
        assert names in response.json_body["Message"]
    assert client.http.get(f"/__service__/{record['id']}", headers=headers).json_body == record


@pytest.mark.parametrize(
    "data",
    [
        {"edge": [9.99999999999999e125, -1e-130, 12345678901234567890123456789012345678, 0, -0.5]},
        {"text": "\u0000 é 😀 \ud83d\ude00", "😀": "", "k" * 1000: None, "~/": [True, False]},
        json.loads(_nested(32)),
    ],
)
def test_every_value_a_record_can_hold_reads_back_as_sent(
    client: Client, headers: dict[str, str], data: dict[str, Any]
) -> None:
    created = _create(client, headers, data)
    fetched = client.http.get(f"/__service__/{created['id']}", headers=headers).json_body
    assert fetched == created
    # As JSON numbers: DynamoDB keeps decimal values, not Python's int and float types.
    assert _as_decimals(created["data"]) == _as_decimals(data)


@pytest.mark.parametrize(
    ("request_", "names"),
    [
        (("get", "/__service__/" + "a" * 2000, {}), "record_id"),
        (("delete", "/__service__/a.b", {}), "record_id"),
        (("put", "/__service__/abc", {"If-Match": '"' + "9" * 5000 + '"'}), "If-Match"),
        (("put", "/__service__/abc", {"If-Match": "3"}), "If-Match"),
        (("get", "/__service__?next_token=" + "A" * 5000, {}), "next_token"),
        (("get", "/__service__?limit=%C2%B2", {}), "limit"),
        (("get", "/__service__?limt=5", {}), "unknown query parameters"),
    ],
)
def test_hostile_ids_headers_and_queries_are_400s_that_name_them(
    client: Client, headers: dict[str, str], request_: tuple[str, str, dict[str, str]], names: str
) -> None:
    method, path, extra = request_
    response = getattr(client.http, method)(path, headers={**headers, **extra}, body='{"a": 1}')
    assert response.status_code == 400, response.body
    assert names in response.json_body["Message"]
