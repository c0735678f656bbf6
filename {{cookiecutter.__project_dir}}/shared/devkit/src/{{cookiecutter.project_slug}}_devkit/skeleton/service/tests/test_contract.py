"""openapi.yaml is the contract both ways: requests are checked against it at run time, and
the tests' client checks every response against it, so a handler that drifts fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from chalice import Response
from chalice.test import Client

from {{ cookiecutter.project_slug }}_data import Record
from {{ cookiecutter.project_slug }}_devkit.api_fuzzing import CONTRACT_REFUSAL
from {{ cookiecutter.project_slug }}_devkit.contract_client import ContractViolation

import app as service_app
from app import app

pytestmark = pytest.mark.integration


def test_every_route_checks_its_requests_against_the_document() -> None:
    unchecked = [
        f"{method} {path}"
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if not getattr(entry.view_function, "contract_checked", False)
    ]
    assert unchecked == []


def _drifted(record: Record) -> Response:
    # `version` as a string: what the document's Record forbids.
    body = {**record.to_json(), "version": str(record.version)}
    return Response(body=body, headers={"Content-Type": "application/json"})


def _teapot(record: Record) -> Response:
    return Response(body=record.to_json(), status_code=418)


@pytest.mark.parametrize(
    ("handler", "names"),
    [(_drifted, "body.version must be integer"), (_teapot, "status 418 is not documented")],
)
def test_a_handler_that_breaks_the_contract_fails_the_tests(
    client: Client,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    handler: Callable[[Record], Response],
    names: str,
) -> None:
    created = client.http.post("/__service__", headers=headers, body=json.dumps({"title": "x"}))
    monkeypatch.setattr(service_app, "record_response", handler)
    with pytest.raises(ContractViolation, match=names) as raised:
        client.http.get(f"/__service__/{created.json_body['id']}", headers=headers)
    assert "GET /__service__/" in str(raised.value)


@pytest.mark.parametrize(
    ("request_", "names"),
    [
        (("post", "/__service__", {}, '{"a": 1}'), None),
        (("post", "/__service__/batch", {}, '{"items": [{"a": 1}], "more": 2}'), "'more'"),
        (("get", "/__service__/search?q=x&limit=1e3", {}, None), "query.limit must be integer"),
        (("get", "/__service__/stats/daily?from=2026-02-30", {}, None), "query.from must be date"),
        (("get", "/__service__/abc?x=1", {}, None), "unknown query parameters: 'x'; known: none"),
        (("put", "/__service__/abc", {"If-Match": "  *  "}, '{"a": 1}'), None),
    ],
)
def test_requests_are_checked_as_the_document_says(
    client: Client,
    headers: dict[str, str],
    request_: tuple[str, str, dict[str, str], str | None],
    names: str | None,
) -> None:
    method, path, extra, body = request_
    response: Any = getattr(client.http, method)(path, headers={**headers, **extra}, body=body)
    if names is None:
        assert response.status_code in (201, 404), response.body
    else:
        assert response.status_code == 400, response.body
        assert names in response.json_body["Message"]
        # As the fuzz test tells the contract's refusals from those for rules in words.
        assert CONTRACT_REFUSAL.match(response.json_body["Message"])
