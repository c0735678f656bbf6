"""Checking a service's openapi.yaml, written first, against the routes its app declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from chalice import Chalice
from openapi_spec_validator import validate

_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})

Operation = tuple[str, str]


def load_openapi(path: Path) -> dict[str, Any]:
    """Parse and validate an OpenAPI 3 document; raise if it is not a valid one."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate(document)
    return dict(document)


def documented_operations(document: dict[str, Any]) -> set[Operation]:
    """Every (path, METHOD) the document describes."""
    return {
        (path, method.upper())
        for path, item in document.get("paths", {}).items()
        for method in item
        if method in _METHODS
    }


def routed_operations(app: Chalice) -> set[Operation]:
    """Every (path, METHOD) the Chalice app routes."""
    return {(path, method.upper()) for path, methods in app.routes.items() for method in methods}


def contract_differences(app: Chalice, openapi_path: Path) -> list[str]:
    """Human-readable differences between the app's routes and its OpenAPI document.

    Empty when they agree. The document is validated as OpenAPI 3 first.
    """
    documented = documented_operations(load_openapi(openapi_path))
    routed = routed_operations(app)
    return [
        f"routed but not documented: {method} {path}"
        for path, method in sorted(routed - documented)
    ] + [
        f"documented but not routed: {method} {path}"
        for path, method in sorted(documented - routed)
    ]
