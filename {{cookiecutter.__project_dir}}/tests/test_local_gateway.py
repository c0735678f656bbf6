"""The dev server's `chalice local`: no answer repeats the request's Authorization header,
for unknown paths and methods as for routes, with API Gateway's statuses kept."""

from __future__ import annotations

import http.client
import threading
import uuid
from collections.abc import Iterator

import pytest
from chalice import Chalice
from chalice.config import Config
from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer

from {{ cookiecutter.project_slug }}_devkit.local_gateway import QuietRequestHandler, credentials


@pytest.fixture
def served() -> Iterator[int]:
    """A small app on QuietRequestHandler, on a free port of its own; yields the port."""
    app = Chalice(app_name=f"gateway-{uuid.uuid4().hex[:8]}")

    @app.route("/items", methods=["GET", "POST"])
    def items() -> dict[str, str]:
        return {}

    @app.route("/echo")
    def echo() -> dict[str, str]:
        # A route that repeats the header: the guard must still keep it out.
        request = app.current_request
        assert request is not None
        return {"seen": request.headers.get("authorization", "")}

    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    config = Config.create(chalice_app=app, app_name=app.app_name, chalice_stage="dev")
    server = LocalDevServer(app, config, "127.0.0.1", 0, handler_cls=QuietRequestHandler)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server.server_address[1]
    finally:
        server.shutdown()
        server.server.server_close()
        thread.join()


def _ask(port: int, method: str, path: str, authorization: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={"Authorization": authorization})
        response = connection.getresponse()
        return response.status, f"{response.getheaders()}\n{response.read().decode()}"
    finally:
        connection.close()


@pytest.mark.parametrize("scheme", ["Bearer ", "", "AWS4-HMAC-SHA256 Credential="])
def test_no_answer_repeats_the_authorization_header(served: int, scheme: str) -> None:
    secret = f"secret-{uuid.uuid4().hex}"
    authorization = f"{scheme}{secret}"
    answers = {
        (method, path): _ask(served, method, path, authorization)
        for method, path in [("GET", "/nowhere"), ("POST", "/a/b/c"), ("DELETE", "/items"),
                             ("PATCH", "/items"), ("TRACE", "/items"), ("GET", "/echo")]
    }  # fmt: skip
    for (method, path), (status, text) in answers.items():
        assert secret not in text, (method, path, status)
    # API Gateway's answers are kept: 403 for an unknown path, 405 for a wrong method.
    status, text = answers[("GET", "/nowhere")]
    assert (status, text.rsplit("\n", 1)[1]) == (403, '{"message": "Missing Authentication Token"}')
    assert answers[("DELETE", "/items")][0] == 405
    assert answers[("GET", "/echo")][1].endswith('{"seen":"[redacted]"}')


def test_the_value_and_its_token_are_secrets_but_short_words_are_not() -> None:
    # Redacting "Bearer" or a one-letter value would garble every body instead.
    assert credentials(["Bearer abcdefgh123"]) == ["Bearer abcdefgh123", "abcdefgh123"]
    assert credentials(["Basic x", "abc"]) == []
