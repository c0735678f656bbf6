"""openapi.yaml is written first; the routes must match it exactly."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.project_slug }}_data import limits
from {{ cookiecutter.project_slug }}_data.limits import described_limits
from {{ cookiecutter.project_slug }}_devkit.openapi_contract import contract_differences, load_openapi
from {{ cookiecutter.project_slug }}_devkit.openapi_examples import example_problems

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


def test_every_operation_has_examples_that_match_its_schemas() -> None:
    assert example_problems(load_openapi(OPENAPI)) == []


def test_links_lead_from_a_new_record_to_reading_replacing_and_deleting_it() -> None:
    # Stateful fuzzing follows these: without them, generated ids only ever see 404.
    paths = load_openapi(OPENAPI)["paths"]
    created = paths["/__service__"]["post"]["responses"]["201"]["links"]
    read = paths["/__service__/{record_id}"]["get"]["responses"]["200"]["links"]
    targets = {link["operationId"] for link in created.values()}
    assert targets == {"get__service__", "replace__service__", "delete__service__"}
    assert {link["operationId"] for link in read.values()} >= targets - {"get__service__"}
