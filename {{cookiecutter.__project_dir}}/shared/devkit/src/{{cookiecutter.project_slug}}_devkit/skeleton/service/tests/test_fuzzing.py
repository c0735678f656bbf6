"""Requests generated from openapi.yaml, valid and hostile, get documented answers, never a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_devkit.api_fuzzing import FuzzBudget, fuzz_service
from {{ cookiecutter.project_slug }}_devkit.chalice_wsgi import wsgi_app
from {{ cookiecutter.project_slug }}_devkit.openapi_contract import documented_operations, load_openapi

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi.yaml"
# About 500 requests and 15 s for a service: the whole suite runs it, `--fast` does not.
pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_generated_requests_get_documented_answers(
    client: Client, headers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in = {"Authorization": headers["Authorization"]}
    report = fuzz_service(DOCUMENT, signed_in, FuzzBudget(), app=wsgi_app(client))
    with capsys.disabled():
        print(f"\n{DOCUMENT.parent.name}: {report.summary()}")
    # Every operation was reached, and records were made and used along the links.
    assert len(report.cases) == len(documented_operations(load_openapi(DOCUMENT)))
    assert report.statuses[201]
    assert report.stateful_steps
