"""Small helpers that shape HTTP requests and responses the same way on every route."""

from __future__ import annotations

from collections.abc import Mapping

from chalice import BadRequestError, Chalice, Response
from chalice.app import Request

from {{ cookiecutter.project_slug }}_data import Record

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Headers = dict[str, str | list[str]]


def current_request(app: Chalice) -> Request:
    """The request being handled; Chalice sets it before calling any route."""
    request = app.current_request
    if request is None:
        raise RuntimeError("no request is being handled")
    return request


def created(location: str, record: Record) -> Response:
    """201 with the new record, its Location and its version as ETag."""
    return Response(
        status_code=201,
        body=record.to_json(),
        headers={"Location": location, **version_header(record)},
    )


def no_content() -> Response:
    """204 with an empty body."""
    return Response(status_code=204, body="")


def version_header(record: Record) -> Headers:
    """The ETag a client sends back in If-Match to update this version only."""
    return {"ETag": f'"{record.version}"'}


def page_params(query: Mapping[str, str] | None) -> tuple[int, str | None]:
    """`limit` (1..100, default 20) and `next_token` from a query string; 400 if invalid."""
    query = query or {}
    raw_limit = query.get("limit", str(DEFAULT_PAGE_SIZE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_PAGE_SIZE:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(raw_limit), query.get("next_token") or None


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header asks for; None for no header or `*`; 400 otherwise."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise BadRequestError('If-Match must be a version ETag such as "3"')
    return int(tag)
