"""Verified tokens are remembered until their expiry, within a bound, for their use only."""

from __future__ import annotations

import pytest

from {{ cookiecutter.project_slug }}_auth import CurrentUser, JwksCache, TokenVerifier, UserPool, VerifiedTokens
from {{ cookiecutter.project_slug }}_auth.jwt_verifier import InvalidToken
from {{ cookiecutter.project_slug }}_devkit.user_tokens import forge, moto_signing_key

USER = CurrentUser(sub="s", username="u")
POOL = UserPool("eu-west-1", "eu-west-1_abc", frozenset({"client"}))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_until_the_token_expires_or_the_cap() -> None:
    clock = Clock()
    cache = VerifiedTokens(max_age=300, clock=clock)
    cache.put("soon", "access", USER, expires_at=clock.now + 60)
    cache.put("later", "access", USER, expires_at=clock.now + 3600)
    clock.now += 59
    assert cache.get("soon", "access") == USER
    clock.now += 1
    assert cache.get("soon", "access") is None  # expired: gone
    assert cache.get("later", "access") == USER
    clock.now += 240
    assert cache.get("later", "access") is None  # the cap, though the token still runs


def test_a_token_is_remembered_for_its_use_only() -> None:
    cache = VerifiedTokens()
    cache.put("t", "access", USER, expires_at=float("inf"))
    assert cache.get("t", "id") is None
    assert cache.get("other", "access") is None


def test_the_least_recently_used_goes_first() -> None:
    cache = VerifiedTokens(capacity=2)
    cache.put("a", "access", USER, float("inf"))
    cache.put("b", "access", USER, float("inf"))
    assert cache.get("a", "access") == USER
    cache.put("c", "access", USER, float("inf"))
    assert len(cache) == 2
    assert cache.get("b", "access") is None
    assert cache.get("a", "access") == cache.get("c", "access") == USER


def _verifier(clock: Clock) -> tuple[TokenVerifier, str]:
    key = moto_signing_key()
    document = {"keys": [key.as_dict(private=False)]}
    keys = JwksCache("https://example/jwks", fetch=lambda url, timeout: document)
    claims = {"iss": POOL.issuer, "sub": "s", "client_id": "client", "token_use": "access",
              "iat": int(clock.now), "exp": int(clock.now) + 120, "username": "u"}  # fmt: skip
    return TokenVerifier(POOL, keys, leeway_seconds=0, clock=clock), forge(claims, key)


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    clock = Clock()
    verifier, token = _verifier(clock)
    assert verifier.verify(token, "access").username == "u"
    clock.now += 119
    assert verifier.verify(token, "access").username == "u"
    clock.now += 1
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token, "access")


def test_a_remembered_token_is_still_refused_for_another_use() -> None:
    verifier, token = _verifier(Clock())
    verifier.verify(token, "access")
    with pytest.raises(InvalidToken, match="token_use"):
        verifier.verify(token, "id")
