"""Who may call the API: real tokens of the stage's local user pool, and every bad one refused."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_auth import JwksCache, TokenVerifier, UserPool
from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit.user_tokens import (
    Tokens,
    claims_of,
    forge,
    moto_signing_key,
    now,
    stranger_key,
)

from chalicelib.composition import build_dependencies, dependencies

pytestmark = pytest.mark.integration

RECORDS = "/__service__"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> str:
    encoded = [_b64(json.dumps(part).encode()) for part in (header, claims)]
    return ".".join([*encoded, _b64(signature)])


def _hs256_with_public_key(claims: dict[str, Any]) -> str:
    """The classic confusion attack: HMAC keyed with the pool's public key."""
    public_pem = moto_signing_key().as_pem(private=False)
    header = {"alg": "HS256", "kid": "dummy"}
    signing_input = ".".join(_b64(json.dumps(part).encode()) for part in (header, claims))
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _tampered(token: str) -> str:
    header, _, signature = token.split(".")
    claims = claims_of(token)
    claims["cognito:groups"] = ["admins", "root"]
    return ".".join([header, _b64(json.dumps(claims).encode()), signature])


def _with(claims: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = {**claims, **changes}
    return {key: value for key, value in changed.items() if value is not None}


# Each case: (name, route, function of the admin's tokens -> Authorization header value).
BadHeader = Callable[[Tokens], str | None]
KEY = moto_signing_key()
BAD_TOKENS: list[tuple[str, str, BadHeader]] = [
    ("expired", RECORDS, lambda t: "Bearer " + forge(
        _with(claims_of(t.access_token), exp=now() - 3600, iat=now() - 7200), KEY)),
    ("no exp claim", RECORDS, lambda t: "Bearer " + forge(
        _with(claims_of(t.access_token), exp=None), KEY)),
    ("not yet valid", RECORDS, lambda t: "Bearer " + forge(
        _with(claims_of(t.access_token), nbf=now() + 3600), KEY)),
    ("issued in the future", RECORDS, lambda t: "Bearer " + forge(
        _with(claims_of(t.access_token), iat=now() + 3600, exp=now() + 7200), KEY)),
    ("signed by another key", RECORDS, lambda t: "Bearer " + forge(
        claims_of(t.access_token), stranger_key())),
    ("unknown kid", RECORDS, lambda t: "Bearer " + forge(
        claims_of(t.access_token), KEY, {"kid": "rotated-away"})),
    ("alg none", RECORDS, lambda t: "Bearer " + _segments(
        {"alg": "none", "kid": "dummy"}, claims_of(t.access_token), b"")),
    ("alg none with a signature", RECORDS, lambda t: "Bearer " + _segments(
        {"alg": "none", "kid": "dummy"}, claims_of(t.access_token), b"x")),
    ("HS256 keyed with the public key", RECORDS, lambda t: "Bearer " + _hs256_with_public_key(
        claims_of(t.access_token))),
    ("wrong issuer", RECORDS, lambda t: "Bearer " + forge(_with(
        claims_of(t.access_token),
        iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_another"), KEY)),
    ("wrong client", RECORDS, lambda t: "Bearer " + forge(
        _with(claims_of(t.access_token), client_id="someone-elses-client"), KEY)),
    ("wrong audience", "/me", lambda t: "Bearer " + forge(
        _with(claims_of(t.id_token), aud="someone-elses-client"), KEY)),
    ("id token where access is required", RECORDS, lambda t: "Bearer " + t.id_token),
    ("access token where id is required", "/me", lambda t: "Bearer " + t.access_token),
    ("tampered payload", RECORDS, lambda t: "Bearer " + _tampered(t.access_token)),
    ("one segment", RECORDS, lambda t: "Bearer " + t.access_token.replace(".", "")),
    ("two segments", RECORDS, lambda t: "Bearer " + t.access_token.rsplit(".", 1)[0]),
    ("four segments", RECORDS, lambda t: "Bearer " + t.access_token + ".e30"),
    ("bad base64", RECORDS, lambda t: "Bearer !!!.@@@.###"),
    ("oversized header", RECORDS, lambda t: "Bearer " + _segments(
        {"alg": "RS256", "kid": "k" * 4000}, claims_of(t.access_token), b"x")),
    ("no Authorization header", RECORDS, lambda t: None),
    ("another scheme", RECORDS, lambda t: "Basic " + base64.b64encode(b"alice:pw").decode()),
    ("Bearer without a token", RECORDS, lambda t: "Bearer "),
]  # fmt: skip


# Why each is refused: a case refused for another reason would prove nothing.
REASONS = {
    "expired": "The token is expired",
    "no exp claim": "Missing claim: 'exp'",
    "not yet valid": "The token is not yet valid",
    "issued in the future": "issued in the future",
    "signed by another key": "signature is not valid",
    "unknown kid": "a key the user pool does not have",
    "alg none": "not a signed JWT",
    "alg none with a signature": "must be signed with RS256",
    "HS256 keyed with the public key": "must be signed with RS256",
    "wrong issuer": "Invalid claim: 'iss'",
    "wrong client": "app client this service does not accept",
    "wrong audience": "app client this service does not accept",
    "id token where access is required": "Invalid claim: 'token_use'",
    "access token where id is required": "Invalid claim: 'token_use'",
    "tampered payload": "signature is not valid",
    "one segment": "not a signed JWT",
    "two segments": "not a signed JWT",
    "four segments": "not a signed JWT",
    "bad base64": "not a well-formed JWT",
    "oversized header": "header is too large",
    "no Authorization header": "missing Authorization header",
    "another scheme": "scheme must be Bearer",
    "Bearer without a token": "malformed bearer token",
}


@pytest.mark.parametrize(("case", "path", "make"), BAD_TOKENS, ids=[c[0] for c in BAD_TOKENS])
def test_every_bad_token_is_refused(
    client: Client, admin: Tokens, case: str, path: str, make: BadHeader
) -> None:
    authorization = make(admin)
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.http.get(path, headers=headers)

    assert response.status_code == 401, (case, response.body)
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="')
    assert ('error="' in challenge) is (authorization is not None)
    assert response.json_body["Code"] == "Unauthorized"
    assert REASONS[case] in response.json_body["Message"]
    token = (authorization or "").partition(" ")[2]
    for start in range(0, max(0, len(token) - 16), 16):
        assert token[start : start + 16].encode() not in response.body


def test_me_returns_the_signed_in_user(client: Client, admin: Tokens) -> None:
    response = client.http.get("/me", headers={"Authorization": f"Bearer {admin.id_token}"})
    assert response.status_code == 200
    claims = claims_of(admin.id_token)
    assert response.json_body == {
        "sub": claims["sub"],
        "username": claims["cognito:username"],
        "email": claims.get("email"),
        "groups": ["admins"],
    }


def test_a_user_outside_the_group_is_forbidden(
    client: Client, member: Tokens, headers: dict[str, str]
) -> None:
    created = client.http.post(RECORDS, headers=headers, body="{}").json_body
    as_member = {"Authorization": f"Bearer {member.access_token}"}
    response = client.http.delete(f"{RECORDS}/{created['id']}", headers=as_member)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert client.http.get(f"{RECORDS}/{created['id']}", headers=as_member).status_code == 200


def test_valid_traffic_fetches_the_keys_once(
    client: Client, admin: Tokens, settings: ServiceSettings
) -> None:
    verifier = dependencies.get().verifier
    assert verifier is not None
    for _ in range(20):
        response = client.http.get(
            RECORDS, headers={"Authorization": f"Bearer {admin.access_token}"}
        )
        assert response.status_code == 200
    assert verifier.keys.fetches == 1


@pytest.fixture
def slow_jwks() -> Iterator[str]:
    """A JWKS endpoint on 127.0.0.1 that never answers in time."""

    class Stall(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(5)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    server.daemon_threads = True
    # A short poll interval: shutdown() waits up to one interval (0.5 s by default).
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()


@pytest.mark.parametrize("where", ["slow", "down"])
def test_unreachable_keys_fail_closed(
    settings: ServiceSettings,
    admin: Tokens,
    slow_jwks: str,
    where: str,
    contract_client: Callable[[], Client],
) -> None:
    url = slow_jwks if where == "slow" else "http://127.0.0.1:9/jwks.json"
    pool = UserPool(settings.region, settings.user_pool_id, settings.accepted_client_ids)
    verifier = TokenVerifier(pool, JwksCache(url, timeout=0.5))
    wired = dataclasses.replace(build_dependencies(settings), verifier=verifier)
    with dependencies.override(wired), contract_client() as client:
        started = time.monotonic()
        response = client.http.get(
            RECORDS, headers={"Authorization": f"Bearer {admin.access_token}"}
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert elapsed < 5  # bounded by the fetch timeout, not by the endpoint


def test_without_a_user_pool_every_guarded_route_is_503(
    settings: ServiceSettings, contract_client: Callable[[], Client]
) -> None:
    unconfigured = dataclasses.replace(settings, user_pool_id="")
    with dependencies.override(build_dependencies(unconfigured)), contract_client() as client:
        assert client.http.get(RECORDS).status_code == 503
