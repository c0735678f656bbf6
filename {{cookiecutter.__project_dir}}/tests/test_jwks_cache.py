"""The pool's keys: one fetch per process, bounded refetches, and only the pool's own URL."""

from __future__ import annotations

from typing import Any

import pytest

from {{ cookiecutter.project_slug }}_auth import JwksCache, JwksUnavailable, UnknownKey, UserPool
from {{ cookiecutter.project_slug }}_devkit.user_tokens import moto_signing_key, stranger_key

POOL = UserPool("eu-west-1", "eu-west-1_abc", frozenset({"client"}))


class FakeJwks:
    """A JWKS endpoint that serves given key sets and counts requests."""

    def __init__(self, *key_sets: list[dict[str, Any]]) -> None:
        self.key_sets = list(key_sets)
        self.requests = 0
        self.down = False

    def __call__(self, url: str, timeout: float) -> dict[str, Any]:
        self.requests += 1
        if self.down:
            raise TimeoutError("timed out")
        keys = self.key_sets[0] if len(self.key_sets) == 1 else self.key_sets.pop(0)
        return {"keys": keys}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _public(kid: str) -> dict[str, Any]:
    key = stranger_key()
    key.ensure_kid()
    return {**key.as_dict(private=False), "kid": kid}


def test_one_fetch_serves_every_lookup_of_a_known_kid() -> None:
    endpoint = FakeJwks([moto_signing_key().as_dict(private=False)])
    cache = JwksCache("https://example/jwks", fetch=endpoint)
    for _ in range(100):
        assert cache.key("dummy").kid == "dummy"
    assert (endpoint.requests, cache.fetches) == (1, 1)


def test_a_flood_of_made_up_kids_costs_one_refetch_per_interval() -> None:
    endpoint, clock = FakeJwks([_public("a")]), Clock()
    cache = JwksCache("https://example/jwks", fetch=endpoint, refetch_interval=60, clock=clock)
    cache.key("a")
    for number in range(1000):
        with pytest.raises(UnknownKey):
            cache.key(f"made-up-{number}")
    assert endpoint.requests == 1  # the first fetch was just now: no refetch yet
    clock.now += 61
    for number in range(1000):
        with pytest.raises(UnknownKey):
            cache.key(f"made-up-{number}")
    assert endpoint.requests == 2


def test_a_rotated_key_is_found_by_one_refetch() -> None:
    endpoint, clock = FakeJwks([_public("old")], [_public("old"), _public("new")]), Clock()
    cache = JwksCache("https://example/jwks", fetch=endpoint, refetch_interval=60, clock=clock)
    cache.key("old")
    clock.now += 61
    assert cache.key("new").kid == "new"
    assert endpoint.requests == 2


def test_an_outage_fails_closed_and_is_retried_at_a_bounded_rate() -> None:
    endpoint, clock = FakeJwks([_public("a")]), Clock()
    endpoint.down = True
    cache = JwksCache("https://example/jwks", fetch=endpoint, retry_interval=5, clock=clock)
    for _ in range(50):
        with pytest.raises(JwksUnavailable):
            cache.key("a")
    assert endpoint.requests == 1
    clock.now += 5
    endpoint.down = False
    assert cache.key("a").kid == "a"
    assert endpoint.requests == 2


def test_keys_already_held_survive_a_failed_refetch() -> None:
    endpoint, clock = FakeJwks([_public("a")]), Clock()
    cache = JwksCache("https://example/jwks", fetch=endpoint, clock=clock)
    cache.key("a")
    endpoint.down = True
    clock.now += 3600
    with pytest.raises(UnknownKey):
        cache.key("b")
    assert cache.key("a").kid == "a"


def test_only_a_loopback_endpoint_can_move_the_jwks_url() -> None:
    own = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json"
    assert POOL.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
    assert POOL.jwks_url({}) == own
    for elsewhere in (
        "https://attacker.example",
        "http://10.0.0.5:4566",
        "http://127.0.0.1.nip.io",
    ):
        assert POOL.jwks_url({"AWS_ENDPOINT_URL": elsewhere}) == own
        assert POOL.jwks_url({"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": elsewhere}) == own
    local = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}
    assert POOL.jwks_url(local) == "http://127.0.0.1:4566/eu-west-1_abc/.well-known/jwks.json"
    beside = {**local, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://localhost:4567/"}
    assert POOL.jwks_url(beside) == "http://localhost:4567/eu-west-1_abc/.well-known/jwks.json"
