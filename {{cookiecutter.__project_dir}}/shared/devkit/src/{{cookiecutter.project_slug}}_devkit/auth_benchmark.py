"""What checking a token costs: a guarded route against an open one, same app, same client.

Run as `python -m <project>_devkit.auth_benchmark` (what `invoke bench.auth` does).
It starts moto in this process, provisions a throwaway stage, signs a user in,
and times GET requests through Chalice's test client to two routes with the
same body, one behind `auth.required()`. The key cache is warmed first, so the
guarded figure is signature and claim checks, not the JWKS fetch. It prints
medians and their ratio; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable

import boto3
from chalice import Chalice
from chalice.test import Client

from {{ cookiecutter.project_slug }}_auth import ChaliceAuth, JwksCache, TokenVerifier, UserPool

from .local_cloud import LocalCloud, LocalEndpoints
from .project_config import LocalUser, load_project_config
from .stage_resources import provision_stage, remove_stage
from .user_tokens import new_user_tokens


def guarded_app(region: str, pool_id: str, client_id: str) -> Chalice:
    """Two routes with the same body; only /guarded checks the token."""
    app = Chalice(app_name="auth-benchmark")
    pool = UserPool(region, pool_id, frozenset({client_id}))
    verifier = TokenVerifier(pool, JwksCache(pool.jwks_url()))
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


def main(argv: list[str] | None = None) -> int:
    """Print the median cost of an open and of a guarded request, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="requests per route")
    args = parser.parse_args(argv)
    project = load_project_config()
    cloud = LocalCloud()
    endpoints = LocalEndpoints(cloud.start())
    os.environ.update(endpoints.environment(project.region))
    stage = f"b{uuid.uuid4().hex[:8]}"

    def client(service: str) -> object:
        return boto3.client(service, region_name=project.region)  # type: ignore[call-overload]

    resources = provision_stage(project, stage, client)
    try:
        tokens = new_user_tokens(
            client("cognito-idp"),
            resources.outputs["UserPoolId"],
            resources.outputs["UserPoolClientId"],
            LocalUser("bench", "bench@example.com"),
        )
        app: Chalice = guarded_app(
            project.region, resources.outputs["UserPoolId"], resources.outputs["UserPoolClientId"]
        )
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
            for _ in range(args.rounds):
                open_times.append(_timed(open_route))
                guarded_times.append(_timed(guarded_route))
    finally:
        remove_stage(project, resources, client, delete_data=True)
        cloud.stop()
    open_median, guarded_median = statistics.median(open_times), statistics.median(guarded_times)
    print(f"open route:    median {open_median * 1e6:8.1f} µs per request")
    print(f"guarded route: median {guarded_median * 1e6:8.1f} µs per request (warm key cache)")
    print(f"ratio guarded/open: {guarded_median / open_median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
