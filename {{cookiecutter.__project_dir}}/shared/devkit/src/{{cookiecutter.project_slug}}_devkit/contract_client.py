"""chalice.test's client, checking every response against the service's openapi.yaml.

    with ContractClient(app, Path("openapi.yaml")) as client:
        client.http.get("/notes/abc", headers=...)   # raises ContractViolation on drift

Each response must be documented for its operation (its status, or the status's
range, or `default`), carry a documented media type, hold a body that matches the
response's schema (or none where none is documented), and send every header the
response marks required. So a service's own tests catch a handler that drifts from
the document, as schemathesis does for generated requests. The schemas are compiled
by the same code as the request validators the service ships.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from chalice import Chalice
from chalice.test import Client, HTTPResponse, TestHTTPClient

from .openapi_validators import ResponseCheck, response_checks

DEFAULT_MEDIA_TYPE = "application/json"  # what API Gateway sends when a route names none


class ContractViolation(AssertionError):
    """A response the document does not allow; the message says how it differs."""


class ResponseContract:
    """The responses an OpenAPI document allows, per operation and status."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._checks = response_checks(document)
        # Literal segments first: /notes/search before /notes/{record_id}.
        templates = sorted({path for _, path in self._checks}, key=lambda p: (p.count("{"), p))
        self._templates = [(_template_pattern(path), path) for path in templates]

    @classmethod
    def load(cls, path: Path) -> ResponseContract:
        """The contract of the document at `path` (compiled once per file and version)."""
        return _load(path.resolve(), path.stat().st_mtime_ns)

    def violations(
        self, method: str, target: str, status: int, headers: Mapping[str, Any], body: bytes
    ) -> list[str]:
        """How a response to `method target` differs from the document; empty if it does not."""
        path = target.split("?", 1)[0]
        template = next((t for pattern, t in self._templates if pattern.fullmatch(path)), None)
        label = f"{method} {path}"
        if template is None or (method, template) not in self._checks:
            return [f"{label}: no operation of the document answers it (status {status})"]
        by_status = self._checks[(method, template)]
        documented = next(
            (key for key in (str(status), f"{status // 100}XX", "default") if key in by_status),
            None,
        )
        if documented is None:
            return [
                f"{label}: status {status} is not documented "
                f"(documented: {', '.join(by_status)}); body: {body[:300]!r}"
            ]
        return _response_violations(f"{label} {status}", by_status[documented], headers, body)


def _response_violations(
    label: str, check: ResponseCheck, headers: Mapping[str, Any], body: bytes
) -> list[str]:
    found: list[str] = []
    names = {name.lower() for name in headers}
    for name, header in check.headers.items():
        if header.get("required") and name.lower() not in names:
            found.append(f"{label}: the required header {name} is missing")
    if not check.media_types:
        if body:
            found.append(f"{label}: a body where the document has none: {body[:300]!r}")
        return found
    content_type = next(
        (str(value) for name, value in headers.items() if name.lower() == "content-type"),
        DEFAULT_MEDIA_TYPE,
    )
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in {media.lower() for media in check.media_types}:
        found.append(f"{label}: Content-Type {content_type} is not one of {check.media_types}")
    if check.body is None:
        return found
    try:
        value = json.loads(body)
    except ValueError as error:
        return [*found, f"{label}: the body is not JSON ({error}): {body[:300]!r}"]
    try:
        check.body(value, name_prefix="body")
    except ValueError as error:
        found.append(f"{label}: {error} (body {body[:300]!r})")
    return found


@functools.cache
def _load(path: Path, _version: int) -> ResponseContract:
    return ResponseContract(yaml.safe_load(path.read_text(encoding="utf-8")))


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


class CheckedHTTPClient(TestHTTPClient):
    """chalice.test's HTTP client; every response is checked against a ResponseContract."""

    def __init__(self, app: Chalice, config: Any, contract: ResponseContract) -> None:
        super().__init__(app, config)
        self._contract = contract

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> HTTPResponse:
        response = super().request(method, path, headers=headers, body=body)
        raw = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        problems = self._contract.violations(
            method.upper(), path, response.status_code, response.headers, raw
        )
        if problems:
            raise ContractViolation("the response breaks openapi.yaml:\n" + "\n".join(problems))
        return response


class ContractClient(Client):
    """chalice.test.Client whose `http` checks each response against `document`."""

    def __init__(self, app: Chalice, document: Path, stage_name: str = "dev") -> None:
        super().__init__(app, stage_name=stage_name)
        self._contract = ResponseContract.load(document)

    @property
    def http(self) -> TestHTTPClient:
        if self._http_client is None:
            self._http_client = CheckedHTTPClient(self._app, self._chalice_config, self._contract)
        return self._http_client
