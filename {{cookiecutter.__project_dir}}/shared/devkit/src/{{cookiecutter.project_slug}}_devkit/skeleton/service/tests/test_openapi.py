"""openapi.yaml is written first; the routes must match it exactly."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.project_slug }}_data import limits
from {{ cookiecutter.project_slug }}_data.limits import described_limits
from {{ cookiecutter.project_slug }}_devkit.openapi_contract import contract_differences, load_openapi

from app import app

OPENAPI = Path(__file__).resolve().parents[1] / "openapi.yaml"


def test_routes_match_the_openapi_document() -> None:
    assert contract_differences(app, OPENAPI) == []


def test_the_document_states_the_limits_the_data_package_enforces() -> None:
    document = load_openapi(OPENAPI)
    schemas = document["components"]["schemas"]
    assert schemas["Data"]["x-limits"] == described_limits()
    record_path = next(item for path, item in document["paths"].items() if "{record_id}" in path)
    (record_id,) = (p for p in record_path["parameters"] if p["name"] == "record_id")
    assert record_id["schema"]["pattern"] == limits.RECORD_ID_PATTERN
    listing = document["paths"]["/__service__"]["get"]
    (token,) = (p for p in listing["parameters"] if p["name"] == "next_token")
    assert token["schema"]["pattern"] == limits.PAGE_TOKEN_PATTERN
    (if_match,) = (p for p in record_path["put"]["parameters"] if p["name"] == "If-Match")
    assert "{1," + str(limits.MAX_VERSION_DIGITS) + "}" in if_match["schema"]["pattern"]
