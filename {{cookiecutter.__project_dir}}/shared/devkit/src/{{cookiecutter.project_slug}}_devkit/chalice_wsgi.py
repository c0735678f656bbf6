"""A Chalice app as a WSGI application, for API testers that speak WSGI (schemathesis).

Each request goes through `chalice.test.Client`, the same in-process gateway the
service's own tests use: API Gateway's request and response mapping, the app's
authorizers and error handling, no sockets. Chalice is neither WSGI nor ASGI, so
without this a fuzzer could only reach a running server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from chalice.test import Client

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(client: Client) -> WsgiApp:
    """A WSGI callable sending each request through `client` (an entered chalice.test.Client)."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # WSGI hands the path decoded as latin-1; API Gateway sees it percent-encoded.
        path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        response = client.http.request(
            environ["REQUEST_METHOD"], path, headers=_headers(environ), body=body
        )
        status = HTTPStatus(response.status_code)
        headers = [(name, str(value)) for name, value in response.headers.items()]
        if response.body and not any(name.lower() == "content-type" for name, _ in headers):
            # API Gateway and `chalice local` send this default; chalice.test does not.
            headers.append(("Content-Type", "application/json"))
        start_response(f"{status.value} {status.phrase}", headers)
        return [response.body]

    return application


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        # These two come from headers named with underscores (CONTENT_TYPE): WSGI
        # cannot tell them from Content-Type, which it files without the prefix.
        if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers
