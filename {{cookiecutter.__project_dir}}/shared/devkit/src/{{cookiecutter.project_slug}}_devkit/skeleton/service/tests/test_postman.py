"""The Postman collection `invoke api.postman` writes catches a handler that breaks the contract.

The app runs in-process (chalice_wsgi behind a WSGI server on a free port) on this
test's own stage; Newman runs the exported collection against it twice: as it is
(no failure), then with two handlers patched, one answering a body the document
does not allow and one a status it does not list (exactly their tests fail).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from chalice import Response
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit.chalice_wsgi import wsgi_app
from {{ cookiecutter.project_slug }}_devkit.newman_runs import environment_with_token, run_newman
from {{ cookiecutter.project_slug }}_devkit.postman_export import export_service
from {{ cookiecutter.project_slug }}_devkit.user_tokens import Tokens

from app import app
from chalicelib.composition import build_dependencies, dependencies

SERVICE = Path(__file__).resolve().parents[1]
ROOT = SERVICE.parents[1]
pytestmark = [pytest.mark.integration, pytest.mark.slow]


class _Handler(WSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        if self.headers.get("content-type") is None:
            # wsgiref makes up `text/plain` for a request without one, which the app
            # (as API Gateway would) refuses with 415.
            environ.pop("CONTENT_TYPE", None)
        return environ

    def log_message(self, format: str, *args: object) -> None:
        """Newman reports each request; the server need not."""


@pytest.fixture
def served(settings: ServiceSettings) -> Iterator[str]:
    """The app on this test's stage, on a free port of 127.0.0.1, as a base URL: through
    Chalice's own test client, which lets a broken answer through, as a deployed app would."""
    with dependencies.override(build_dependencies(settings)), Client(app) as client:
        server = make_server("127.0.0.1", 0, wsgi_app(client), handler_class=_Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()


@pytest.mark.usefixtures("migrated")
def test_newman_passes_the_app_and_fails_handlers_that_break_the_contract(
    served: str, admin: Tokens, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection = tmp_path / "collection.json"
    environment = tmp_path / "test.postman_environment.json"
    count = export_service(ROOT, SERVICE / "openapi.yaml", collection, environment,
                           SERVICE.name, served)  # fmt: skip
    with_token = environment_with_token(environment, admin.access_token, tmp_path)
    assert with_token.stat().st_mode & 0o777 == 0o600
    assert admin.access_token not in environment.read_text()

    intact = run_newman(ROOT, collection, with_token, tmp_path)
    assert (intact.exit_code, intact.failures) == (0, []), intact.output
    assert len(intact.statuses) == count
    assert intact.assertions >= 2 * count - 1  # a status test each, a body test unless 204
    assert 201 in intact.statuses.values()  # the token worked: a record was made
    assert 415 not in intact.statuses.values()  # each request was sent as the app wants it

    routes = app.routes
    monkeypatch.setattr(routes["/__service__"]["GET"], "view_function",
                        lambda: {"items": "not a list", "next_token": None})  # fmt: skip
    monkeypatch.setattr(routes["/__service__/batch"]["POST"], "view_function",
                        lambda: Response(body={"Code": "Teapot", "Message": "no"},
                                         status_code=418))  # fmt: skip
    broken = run_newman(ROOT, collection, with_token, tmp_path)

    assert broken.exit_code != 0
    assert broken.failed_tests == [
        "GET /__service__: the body matches the 200 schema",
        "POST /__service__/batch: status 418 is documented",
    ]
