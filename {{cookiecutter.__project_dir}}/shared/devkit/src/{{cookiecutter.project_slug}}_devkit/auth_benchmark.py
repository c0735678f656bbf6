"""What checking a token costs: a guarded route against an open one, same app, same client.

`run` is what `invoke bench.auth` prints. It starts moto in this process,
provisions a throwaway stage, signs a user in, and times GET requests through
Chalice's test client to two routes with the same body, one behind
`auth.required()`. The key cache is warmed first, so the guarded figure is
signature and claim checks, not the JWKS fetch. It reports medians and their
ratio; it asserts nothing.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from chalice import Chalice
from chalice.test import Client

from {{ cookiecutter.project_slug }}_auth import ChaliceAuth, JwksCache, TokenVerifier, UserPool

from .local_cloud import LocalCloud, LocalEndpoints
from .project_config import LocalUser, ProjectConfig
from .stage_resources import StageResources, provision_stage, remove_stage
from .user_tokens import new_user_tokens


def guarded_app(
    region: str, pool_id: str, client_id: str, environ: Mapping[str, str] | None = None
) -> Chalice:
    """Two routes with the same body; only /guarded checks the token.

    The pool's keys are where `environ` (default: os.environ) points boto3.
    """
    app = Chalice(app_name="auth-benchmark")
    pool = UserPool(region, pool_id, frozenset({client_id}))
    verifier = TokenVerifier(pool, JwksCache(pool.jwks_url(environ)))
    auth = ChaliceAuth(app, verifier=lambda: verifier)

    @app.route("/open")
    def open_route() -> dict[str, bool]:
        return {"ok": True}

    @app.route("/guarded")
    @auth.required()
    def guarded_route() -> dict[str, bool]:
        return {"ok": True}

    return app


def _timed(request: Callable[[], int]) -> float:
    started = time.perf_counter()
    status = request()
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"the benchmark request failed with {status}")
    return elapsed


def run(project: ProjectConfig, rounds: int = 2000) -> list[str]:
    """Time `rounds` requests to each route; the lines give both medians and their ratio."""
    cloud = LocalCloud()
    endpoints = LocalEndpoints(cloud.start())
    stage = f"b{uuid.uuid4().hex[:8]}"

    def client(service: str) -> Any:
        return endpoints.client(service, project.region)

    try:
        resources = provision_stage(project, stage, client)
        try:
            open_times, guarded_times = _measure(project, endpoints, resources, client, rounds)
        finally:
            remove_stage(project, resources, client, delete_data=True)
    finally:
        cloud.stop()
    open_median, guarded_median = statistics.median(open_times), statistics.median(guarded_times)
    return [
        f"open route:    median {open_median * 1e6:8.1f} µs per request",
        f"guarded route: median {guarded_median * 1e6:8.1f} µs per request (warm key cache)",
        f"ratio guarded/open: {guarded_median / open_median:.2f}",
    ]


def _measure(
    project: ProjectConfig, endpoints: LocalEndpoints, resources: StageResources,
    client: Callable[[str], Any], rounds: int,
) -> tuple[list[float], list[float]]:  # fmt: skip
    pool_id, client_id = resources.outputs["UserPoolId"], resources.outputs["UserPoolClientId"]
    tokens = new_user_tokens(
        client("cognito-idp"), pool_id, client_id, LocalUser("bench", "bench@example.com")
    )
    environ = endpoints.environment(project.region, base={})
    app = guarded_app(project.region, pool_id, client_id, environ)
    headers = {"Authorization": f"Bearer {tokens.access_token}"}
    with Client(app) as test_client:

        def open_route() -> int:
            return int(test_client.http.get("/open", headers=headers).status_code)

        def guarded_route() -> int:
            return int(test_client.http.get("/guarded", headers=headers).status_code)

        for _ in range(50):  # warm both paths and the key cache
            _timed(open_route), _timed(guarded_route)
        open_times, guarded_times = [], []
        # Alternating, so drift in machine load hits both alike.
        for _ in range(rounds):
            open_times.append(_timed(open_route))
            guarded_times.append(_timed(guarded_route))
    return open_times, guarded_times
