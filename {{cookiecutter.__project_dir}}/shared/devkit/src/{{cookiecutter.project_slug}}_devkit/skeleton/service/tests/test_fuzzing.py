"""Requests generated from openapi.yaml, valid and hostile, get documented answers, never a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_devkit.api_fuzzing import FuzzBudget, fuzz_service
from {{ cookiecutter.project_slug }}_devkit.chalice_wsgi import wsgi_app
from {{ cookiecutter.project_slug }}_devkit.openapi_contract import documented_operations, load_openapi
from {{ cookiecutter.project_slug }}_devkit.user_tokens import Tokens

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi.yaml"
# About 660 requests and 25 s for a service: the whole suite runs it, `--fast` does not.
pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.usefixtures("migrated")
def test_generated_requests_get_documented_answers(
    unchecked_client: Client, admin: Tokens, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain client: schemathesis checks each response itself, and also sends requests
    # no operation documents (another method) to see them refused.
    report = fuzz_service(
        DOCUMENT,
        {"Authorization": f"Bearer {admin.access_token}"},
        FuzzBudget(),
        app=wsgi_app(unchecked_client),
        # GET /me takes the id token (it carries the e-mail address).
        operation_headers={"GET /me": {"Authorization": f"Bearer {admin.id_token}"}},
    )
    with capsys.disabled():
        print(f"\n{DOCUMENT.parent.name}: {report.summary()}")
    # Every operation was reached, and records were made and used along the links.
    assert len(report.cases) == len(documented_operations(load_openapi(DOCUMENT)))
    assert report.statuses[201]
    assert report.stateful_steps
