"""`chalice local` for the dev server, without echoing the Authorization header.

Chalice's local gateway answers a request for an unknown path that carries an
Authorization header with a 403 whose message repeats the header (chalice/local.py,
`LocalGateway.handle_request`, mimicking API Gateway's answer to a malformed SigV4
header); a bearer token would end up in whatever prints or stores responses. This
module serves the app as `chalice local` does (same Chalice config, routes check,
file-watching reloader) with two changes:
- an unknown path gets API Gateway's plain 403 {"message": "Missing Authentication
  Token"}, whatever the headers; wrong methods keep Chalice's 405;
- as a last guard, any response that would still contain the request's Authorization
  value (or the token in it) has it replaced before it is sent.

The dev server runs `python -m <project>_devkit.local_gateway --stage S --host H
--port P` in a service's folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.cli.filewatch import RESTART_REQUEST_RC
from chalice.cli.reloader import start_worker_process
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
)

MISSING_TOKEN = b'{"message": "Missing Authentication Token"}'
REDACTED = "[redacted]"
# Shorter parts of an Authorization value ("Bearer", "Basic") are words, not secrets.
_SHORTEST_SECRET = 8
_WORKER_VARIABLE = "CHALICE_WORKER"
MODULE = f"{__package__}.local_gateway"


class QuietGateway(LocalGateway):
    """Chalice's local API Gateway, whose unknown-path answer carries no header value."""

    def _generate_lambda_event(
        self, method: str, path: str, headers: dict[str, Any], body: bytes | None
    ) -> dict[str, Any]:
        try:
            event: dict[str, Any] = super()._generate_lambda_event(method, path, headers, body)
        except ValueError:
            # No route matches. Raised here, Chalice's handler never reaches the branch
            # that quotes the Authorization header.
            raise ForbiddenError(
                {
                    "x-amzn-RequestId": str(uuid.uuid4()),
                    "x-amzn-ErrorType": "MissingAuthenticationTokenException",
                },
                MISSING_TOKEN,
            ) from None
        return event


class QuietRequestHandler(ChaliceRequestHandler):
    """Chalice's request handler on QuietGateway, redacting the request's credentials."""

    def __init__(
        self,
        request: Any,
        client_address: tuple[str, int],
        server: HTTPServer,
        app_object: Any,
        config: Config,
    ) -> None:
        # As ChaliceRequestHandler.__init__, with our gateway: the base class handles
        # the request inside its constructor.
        self.local_gateway = QuietGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _send_http_response(
        self, code: int, headers: dict[str, Any], body: str | bytes | None
    ) -> None:
        secrets = credentials(self.headers.get_all("Authorization") or [])
        if secrets:
            headers = {name: redacted(value, secrets) for name, value in headers.items()}
            body = redacted(body, secrets)
        super()._send_http_response(code, headers, body)


def credentials(values: Sequence[str]) -> list[str]:
    """What of Authorization header values must never be sent back, longest first."""
    found = {value.strip() for value in values}
    found |= {part for value in values for part in value.split()}
    return sorted((item for item in found if len(item) >= _SHORTEST_SECRET), key=len, reverse=True)


def redacted(value: Any, secrets: list[str]) -> Any:
    """`value` (text, bytes, or a list of them) with every secret replaced."""
    if isinstance(value, list):
        return [redacted(item, secrets) for item in value]
    if isinstance(value, bytes):
        for secret in secrets:
            value = value.replace(secret.encode(), REDACTED.encode())
    elif isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
    return value


def build_server(project_dir: str, stage: str, host: str, port: int) -> LocalDevServer:
    """The app of `project_dir` served as `chalice local --stage` would, on QuietRequestHandler."""
    factory = CLIFactory(project_dir, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    # What `chalice local` checks and does (chalice.cli.create_local_server and
    # chalice.local.create_local_server), which take no handler class of our own.
    validate_routes(app.routes)
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=QuietRequestHandler)


def main(argv: list[str]) -> int:
    """`chalice local`'s options: --stage, --host, --port, --autoreload/--no-autoreload."""
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--autoreload", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    # As the chalice CLI: apps can tell they run under a Chalice command.
    os.environ["AWS_CHALICE_CLI_MODE"] = "true"
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    project_dir = os.getcwd()

    def factory() -> LocalDevServer:
        return build_server(project_dir, args.stage, args.host, args.port)

    if not args.autoreload:
        factory().serve_forever()
        return 0
    if os.environ.get(_WORKER_VARIABLE):
        # Chalice's worker: serves in a thread and exits with RESTART_REQUEST_RC when
        # a file of the project changes.
        return int(start_worker_process(factory, project_dir))
    # Chalice's reloader parent re-runs sys.argv, which names this file, not the module:
    # the same loop, with the module's command line.
    command = [sys.executable, "-m", MODULE, *argv]
    while True:
        code = subprocess.call(command, env={**os.environ, _WORKER_VARIABLE: "true"})
        if code != RESTART_REQUEST_RC:
            return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
