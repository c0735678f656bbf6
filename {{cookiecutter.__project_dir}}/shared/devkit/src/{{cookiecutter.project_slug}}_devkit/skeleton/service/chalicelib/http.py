"""Small helpers that shape HTTP requests and responses the same way on every route."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chalice import BadRequestError, Chalice, Response
from chalice.app import Request

from {{ cookiecutter.project_slug }}_data import InvalidDocument, Record, parse_document
from {{ cookiecutter.project_slug }}_data.limits import (
    MAX_BATCH_BODY_BYTES,
    MAX_BATCH_ITEMS,
    MAX_VERSION_DIGITS,
    PAGE_TOKEN_PATTERN,
    is_page_token,
)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Headers = dict[str, str | list[str]]

_LIMIT = re.compile(r"[0-9]{1,3}")
# Visible ASCII, as most APIs take it (Stripe: up to 255 characters).
IDEMPOTENCY_KEY_PATTERN = "^[!-~]{1,255}$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
# An entity tag naming a version, as ETag sends it ("3"), or its weak form (W/"3").
_VERSION_TAG = re.compile(r'(?:W/)?"([0-9]{1,' + str(MAX_VERSION_DIGITS) + r'})"')


def current_request(app: Chalice) -> Request:
    """The request being handled; Chalice sets it before calling any route."""
    request = app.current_request
    if request is None:
        raise RuntimeError("no request is being handled")
    return request


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 400 naming what is wrong when it is none.

    Chalice's own `json_body` answers a 500 for JSON nested too deep to parse.
    """
    try:
        return parse_document(request.raw_body)
    except InvalidDocument as error:
        raise BadRequestError(str(error)) from None


def batch_items(request: Request) -> list[dict[str, Any]]:
    """The objects of a `{"items": [...]}` body (1 to 100 of them); 400 naming what is wrong."""
    try:
        body = parse_document(request.raw_body, max_bytes=MAX_BATCH_BODY_BYTES)
    except InvalidDocument as error:
        raise BadRequestError(str(error)) from None
    items = body.get("items")
    if set(body) != {"items"} or not isinstance(items, list):
        raise BadRequestError('the body must be {"items": [...]} and nothing else')
    if not 1 <= len(items) <= MAX_BATCH_ITEMS:
        raise BadRequestError(f"items must hold 1 to {MAX_BATCH_ITEMS} objects")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequestError(f"the body at /items/{index}: each item must be a JSON object")
    return items


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


def page_params(query: Mapping[str, str] | None) -> tuple[int, str | None]:
    """`limit` (1..100, default 20) and `next_token` from a query string; 400 if invalid.

    Other parameters are refused, not ignored: a misspelt `limt=5` must not pass.
    """
    query = query or {}
    unknown = sorted(set(query) - {"limit", "next_token"})
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:3])
        raise BadRequestError(f"unknown query parameters: {shown}; known: limit, next_token")
    raw_limit = query.get("limit", str(DEFAULT_PAGE_SIZE))
    if not _LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_PAGE_SIZE:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}")
    token = query.get("next_token")
    if token is not None and not is_page_token(token):
        raise BadRequestError(f"next_token must match {PAGE_TOKEN_PATTERN}")
    return int(raw_limit), token


def idempotency_key(value: str | None) -> str | None:
    """The Idempotency-Key header, if sent; 400 unless it is 1 to 255 visible ASCII characters."""
    if value is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise BadRequestError(f"Idempotency-Key must match {IDEMPOTENCY_KEY_PATTERN}")
    return value


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for; None for no header or `*`; 400 otherwise."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = _VERSION_TAG.fullmatch(if_match.strip())
    if tag is None:
        raise BadRequestError(
            'If-Match must be "*" or a version ETag such as "3" '
            f"(at most {MAX_VERSION_DIGITS} digits)"
        )
    return int(tag.group(1))
