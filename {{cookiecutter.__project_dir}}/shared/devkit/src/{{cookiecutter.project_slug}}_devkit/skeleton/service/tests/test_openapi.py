"""openapi.yaml is written first; the routes must match it exactly."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.project_slug }}_devkit.openapi_contract import contract_differences

from app import app

OPENAPI = Path(__file__).resolve().parents[1] / "openapi.yaml"


def test_routes_match_the_openapi_document() -> None:
    assert contract_differences(app, OPENAPI) == []
