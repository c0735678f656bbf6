"""Each request checked against openapi.yaml before a route's code runs; 400 naming what is wrong.

    contract = RequestContract(app)

    @app.route("/__service__", methods=["POST"])
    @auth.required()
    @contract.checked()
    def create() -> Response:
        data = contract.request().document()

The rules come from the document alone, through request_validators.py (generated
from it by `invoke api.validators`, checked by `invoke lint`): parameter patterns,
ranges, required and unknown names, and the body's schema. Below `auth.required`,
so a request without a valid token is 401 before its shape is looked at, as API
Gateway's authorizer runs before its request validator. The body is parsed by the
data package first: it refuses what a record could not hold exactly (DynamoDB's
limits, which JSON Schema cannot say).
"""

from __future__ import annotations

import contextvars
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from chalice import BadRequestError, Chalice
from chalice.app import Request

from {{ cookiecutter.project_slug }}_data import InvalidDocument, parse_document
from {{ cookiecutter.project_slug }}_data.limits import MAX_BODY_BYTES

from chalicelib import request_validators
from chalicelib.request_validators import JsonSchemaValueException

F = TypeVar("F", bound=Callable[..., Any])
Operations = Mapping[tuple[str, str], Mapping[str, Any]]

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_NUMBER = re.compile(
    r"[+-]?(?:[0-9]{1,40}(?:\.[0-9]{0,40})?|\.[0-9]{1,40})"  # digits, maybe with a point
    r"(?:[eE][+-]?[0-9]{1,3})?"  # an exponent
)
_BOOLEANS = {"true": True, "false": False}
_SHOWN = 200  # characters of a message: names echoed back can be long

_checked: contextvars.ContextVar[CheckedRequest] = contextvars.ContextVar("checked_request")


@dataclass(frozen=True)
class CheckedRequest:
    """A request's parts as the document allows them, with its defaults filled in."""

    query: dict[str, Any]
    path: dict[str, Any]
    headers: dict[str, Any]
    body: dict[str, Any] | None

    def document(self) -> dict[str, Any]:
        """The JSON object body; only on a route whose operation has one."""
        if self.body is None:
            raise RuntimeError("this operation has no JSON body in openapi.yaml")
        return self.body


class RequestContract:
    """Checks the requests of one app's routes against the operations of its document."""

    def __init__(self, app: Chalice, operations: Operations | None = None) -> None:
        self._app = app
        self._operations = request_validators.OPERATIONS if operations is None else operations

    def checked(self, max_body_bytes: int = MAX_BODY_BYTES) -> Callable[[F], F]:
        """Decorate a view (below `auth.required`): refuse a request its operation does not allow.

        A JSON body may be at most `max_body_bytes` long.
        """

        def decorate(view: F) -> F:
            @functools.wraps(view)
            def checked_view(*args: Any, **kwargs: Any) -> Any:
                request = self._app.current_request
                if request is None:
                    raise RuntimeError("no request is being handled")
                reset = _checked.set(self._check(request, max_body_bytes))
                try:
                    return view(*args, **kwargs)
                finally:
                    _checked.reset(reset)

            # Copied onto the decorators above by functools.wraps: a test finds unchecked routes.
            checked_view.__dict__["contract_checked"] = True
            return checked_view  # type: ignore[return-value]

        return decorate

    def request(self) -> CheckedRequest:
        """The request being handled, as checked; only inside a `checked` route."""
        try:
            return _checked.get()
        except LookupError:
            raise RuntimeError("contract.request() outside a route guarded by checked") from None

    def _check(self, request: Request, max_body_bytes: int) -> CheckedRequest:
        route = (request.method, str(request.context.get("resourcePath", "")))
        operation = self._operations.get(route)
        if operation is None:
            raise RuntimeError(
                f"{' '.join(route)} is not in request_validators.py: document it in "
                "openapi.yaml and run `invoke api.validators`"
            )
        types = operation["types"]
        parts = {
            "query": _known_query(request.query_params or {}, operation["query_names"]),
            "path": dict(request.uri_params or {}),
            "header": _documented_headers(request, operation["header_names"]),
        }
        checked: dict[str, Any] = {}
        for location, values in parts.items():
            converted = _converted(values, types[location])
            checked[location] = _validated(operation[location], converted, location)
        body = None
        if operation["body"] is not None and (request.raw_body or operation["body_required"]):
            try:
                body = parse_document(request.raw_body, max_bytes=max_body_bytes)
            except InvalidDocument as error:
                raise BadRequestError(str(error)) from None
            body = _validated(operation["body"], body, "body")
        return CheckedRequest(checked["query"], checked["path"], checked["header"], body)


def _documented_headers(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    # Only the headers the operation names, as the document spells them (HTTP header
    # names are case-insensitive); HTTP trims the spaces around a value.
    headers: Mapping[str, Any] = request.headers or {}
    return {name: str(headers[name]).strip() for name in names if name in headers}


def _known_query(query: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    # The schema refuses other names too; this says which, and which are known.
    unknown = sorted(set(query) - set(names))
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:3])
        known = ", ".join(names) or "none"
        raise BadRequestError(f"unknown query parameters: {shown}; known: {known}")
    return {name: query[name] for name in query}


def _converted(values: dict[str, str], types: Mapping[str, str]) -> dict[str, Any]:
    # Parameters arrive as strings: those the document types otherwise become that
    # type when they can, and are otherwise left for the schema to refuse.
    converted: dict[str, Any] = dict(values)
    for name, kind in types.items():
        raw = values.get(name)
        if raw is None:
            continue
        if kind == "integer" and _INTEGER.fullmatch(raw):
            converted[name] = int(raw)
        elif kind == "number" and _NUMBER.fullmatch(raw) and math.isfinite(float(raw)):
            converted[name] = float(raw)
        elif kind == "boolean" and raw in _BOOLEANS:
            converted[name] = _BOOLEANS[raw]
    return converted


def _validated(validate: Callable[..., Any], value: Any, location: str) -> Any:
    try:
        return validate(value, name_prefix=location)
    except JsonSchemaValueException as error:
        message = str(error.message)
        raise BadRequestError(
            message if len(message) <= _SHOWN else message[:_SHOWN] + "…"
        ) from None
