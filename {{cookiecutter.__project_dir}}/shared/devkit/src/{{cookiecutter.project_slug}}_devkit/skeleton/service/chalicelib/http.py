"""Small helpers that shape HTTP responses the same way on every route.

What a request may hold is openapi.yaml's to say: contract.py checks it before a
route's code runs, so the helpers here only read values already checked.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from {{ cookiecutter.project_slug }}_data import Record

Headers = dict[str, str | list[str]]


def batch_response(results: list[Record | None]) -> dict[str, Any]:
    """For each item, by its index in the request: stored (with its record) or not."""
    items = [
        (
            {"index": index, "stored": True, "record": record.to_json()}
            if record is not None
            else {"index": index, "stored": False}
        )
        for index, record in enumerate(results)
    ]
    stored = sum(1 for record in results if record is not None)
    return {"items": items, "stored": stored, "not_stored": len(results) - stored}


def created(location: str, record: Record) -> Response:
    """201 with the new record, its Location and its version as ETag."""
    return Response(
        status_code=201,
        body=record.to_json(),
        headers={"Location": location, **record_headers(record)},
    )


def record_response(record: Record) -> Response:
    """200 with the record and its version as ETag."""
    return Response(body=record.to_json(), headers=record_headers(record))


def no_content() -> Response:
    """204 with an empty body."""
    return Response(status_code=204, body="")


def record_headers(record: Record) -> Headers:
    """The ETag a client sends back in If-Match to update this version only.

    A Response with headers of its own gets no Content-Type from Chalice: say it.
    """
    return {"Content-Type": "application/json", "ETag": f'"{record.version}"'}


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for: None for no header or `*`.

    The header is checked against openapi.yaml already: `*`, `"3"` or the weak `W/"3"`.
    """
    if if_match is None or if_match == "*":
        return None
    return int(if_match.removeprefix("W/").strip('"'))
