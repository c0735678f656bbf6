"""An AWS emulator on 127.0.0.1 (moto's server), and the environment that points boto3 at it."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

# Names of variables that could send a boto3 call elsewhere than the emulator.
_LEAKY_PREFIXES = ("AWS_ENDPOINT_URL_",)
_LEAKY_NAMES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
# moto accepts any credentials; these make it impossible to sign a request for AWS.
FAKE_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",  # pragma: allowlist secret
}


class SerialDynamoDB:
    """A WSGI wrapper that hands moto one DynamoDB request at a time.

    DynamoDB applies the conditional writes of one item one after the other, so of
    concurrent `attribute_not_exists` puts exactly one succeeds; moto checks and
    writes without a lock, and under load two can succeed. Serialising DynamoDB's
    requests (short ones; other services' long polls are left alone) restores the
    guarantee the services' concurrency tests rely on.
    """

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB_"):
            return self._app(environ, start_response)
        with self._lock:
            return list(self._app(environ, start_response))


class LocalCloud:
    """moto's server in a thread of this process. Starts in about a second."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # Imported here: moto takes two seconds to import, which only a server needs.
        from moto.moto_server import werkzeug_app
        from moto.server import ThreadedMotoServer

        class _Server(ThreadedMotoServer):  # type: ignore[misc]
            def _server_entry(self) -> None:
                # As ThreadedMotoServer's, with DynamoDB's requests one at a time.
                from werkzeug.serving import make_server

                app = SerialDynamoDB(
                    werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
                )
                self._server = make_server(
                    self._ip_address, self._port, app, True,
                    request_handler=werkzeug_app.MotoRequestHandler,
                )  # fmt: skip
                self._server_ready_event.set()
                self._server.serve_forever()

        self._server = _Server(ip_address=host, port=port, verbose=False)
        self._endpoint: str | None = None

    def start(self) -> str:
        """Start serving and return the endpoint URL (the real port if 0 was asked)."""
        # One line per request on stderr drowns everything else out.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self._endpoint = f"http://{host}:{port}"
        return self._endpoint

    @property
    def endpoint_url(self) -> str:
        """The URL boto3 should call; only valid after start()."""
        if self._endpoint is None:
            raise RuntimeError("the local cloud is not started")
        return self._endpoint

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for `service` that can reach only this emulator."""
        return emulator_client(service, self.endpoint_url, region)

    def stop(self) -> None:
        """Stop serving; all emulated resources are gone afterwards."""
        self._server.stop()
        self._endpoint = None


def emulator_client(service: str, endpoint_url: str, region: str) -> Any:
    """A boto3 client for `service` at `endpoint_url`, with credentials AWS would refuse."""
    return _session(region).client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]


@functools.cache
def _session(region: str) -> boto3.session.Session:
    # One session per region: it caches the service models, which are most of the
    # cost of making a client (a session per client made `local.up` take 3 s longer).
    return boto3.session.Session(
        aws_access_key_id=FAKE_CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=FAKE_CREDENTIALS["aws_secret_access_key"],
        region_name=region,
    )


# boto3's per-service endpoint variables (AWS_ENDPOINT_URL_<service id>) of the
# services an engine may hand to another one.
SERVICE_ENDPOINT_VARIABLES = {
    "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB",
    "dynamodbstreams": "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
    "cognito-idp": "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "cognito-identity": "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
    "lambda": "AWS_ENDPOINT_URL_LAMBDA",
    "iam": "AWS_ENDPOINT_URL_IAM",
}


@dataclass(frozen=True)
class LocalEndpoints:
    """Where the local cloud answers: one endpoint, and other ones for some services."""

    default: str
    services: dict[str, str] = field(default_factory=dict)

    def url_for(self, service: str) -> str:
        """The endpoint that serves `service` (a boto3 service name)."""
        return self.services.get(service, self.default)

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for `service` that can reach only the local cloud."""
        return emulator_client(service, self.url_for(service), region)

    def environment(self, region: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """`base` (default: os.environ) changed so that boto3 reaches only these endpoints."""
        return emulator_environment(self.default, region, base, self.services)


def emulator_environment(
    endpoint_url: str,
    region: str,
    base: Mapping[str, str] | None = None,
    service_endpoints: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return `base` (default: os.environ) changed so that boto3 can reach only the emulator.

    Credentials are fake, shared config files are hidden and the developer's own
    per-service endpoint overrides are dropped: nothing in their setup can route a
    call to AWS. `service_endpoints` then sends some services to another emulator.
    """
    env = {
        name: value
        for name, value in (os.environ if base is None else base).items()
        if name not in _LEAKY_NAMES and not name.startswith(_LEAKY_PREFIXES)
    }
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_ACCESS_KEY_ID=FAKE_CREDENTIALS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=FAKE_CREDENTIALS["aws_secret_access_key"],
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    for service, url in (service_endpoints or {}).items():
        env[SERVICE_ENDPOINT_VARIABLES[service]] = url
    return env
