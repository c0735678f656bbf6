"""Verifying a Cognito user pool's JWTs as AWS documents it.

https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
RS256 only; the key chosen by `kid` from the pool's JWKS; `iss` is the pool;
`exp` and `iat` are required and checked with a small leeway (and `nbf` when
present); `token_use` is what the route asks for; an id token's `aud`, or an
access token's `client_id`, is one of the allowed app clients. The claim checks and
their messages are those of joserfc's JWTClaimsRegistry (RFC 7519), which this
module replaced together with cryptography to keep cold starts short (issue 17);
the signature check is rs256.py. A token that passed every check is remembered
(token_cache.py) until its expiry, so a client's next requests skip the RSA work.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any, Literal

from .bearer import AuthenticationError
from .jwks import JwksCache, UnknownKey
from .rs256 import b64url_decode
from .token_cache import VerifiedTokens
from .user import CurrentUser
from .user_pool import UserPool

TokenUse = Literal["id", "access"]
ALGORITHM = "RS256"
# Cognito's headers are about 100 bytes.
MAX_HEADER_SEGMENT = 1024
REQUIRED_CLAIMS = ("exp", "iat", "iss", "sub", "token_use")


class InvalidToken(AuthenticationError):
    """The token is not a valid token of the pool for this use. The message names why, never
    the token."""


class TokenVerifier:
    """Checks tokens of one user pool; one per process, sharing its key cache."""

    def __init__(
        self,
        pool: UserPool,
        keys: JwksCache,
        leeway_seconds: int = 5,
        clock: Callable[[], float] = time.time,
        verified: VerifiedTokens | None = None,
    ) -> None:
        self._pool = pool
        self._keys = keys
        self._leeway = leeway_seconds
        self._clock = clock
        self._verified = VerifiedTokens(clock=clock) if verified is None else verified

    @property
    def keys(self) -> JwksCache:
        """The key cache (its `fetches` count is what tests and metrics read)."""
        return self._keys

    def verify(self, token: str, use: TokenUse) -> CurrentUser:
        """The user named by a valid token whose `token_use` claim is `use`.

        Raises InvalidToken, or JwksUnavailable when the pool's keys cannot be
        fetched (the caller answers 503, never accepts)."""
        known = self._verified.get(token, use)
        if known is not None:
            return known
        header_segment, payload_segment, signature_segment = self._segments(token)
        header = self._header(header_segment)
        try:
            key = self._keys.key(header["kid"])
        except UnknownKey:
            raise InvalidToken("the token is signed by a key the user pool does not have") from None
        try:
            signature = b64url_decode(signature_segment)
        except ValueError:
            raise InvalidToken("the token is not a well-formed JWT") from None
        signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
        if not key.verify_rs256(signing_input, signature):
            raise InvalidToken("the token's signature is not valid")
        claims = _json_object(payload_segment)
        self._check_claims(claims, use)
        user = CurrentUser.from_claims(claims)
        self._verified.put(token, use, user, float(claims["exp"]))
        return user

    @staticmethod
    def _segments(token: str) -> tuple[str, str, str]:
        segments = token.split(".")
        if len(segments) != 3 or not all(segments):
            raise InvalidToken("the token is not a signed JWT (three segments)")
        if not token.isascii():
            raise InvalidToken("the token is not a well-formed JWT")
        return segments[0], segments[1], segments[2]

    @staticmethod
    def _header(segment: str) -> dict[str, Any]:
        if len(segment) > MAX_HEADER_SEGMENT:
            raise InvalidToken("the token's header is too large")
        header = _json_object(segment)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"the token must be signed with {ALGORITHM}")
        if not isinstance(header.get("kid"), str):
            raise InvalidToken("the token names no key (kid)")
        # RFC 7515 section 4.1.11: a critical extension we do not understand means refuse.
        if "crit" in header:
            raise InvalidToken("the token's header has critical extensions")
        return header

    def _check_claims(self, claims: dict[str, Any], use: TokenUse) -> None:
        reason = self._claims_problem(claims, use)
        if reason:
            raise InvalidToken(f"the token's claims are not valid: {reason}")
        client = claims.get("aud") if use == "id" else claims.get("client_id")
        if not isinstance(client, str) or client not in self._pool.client_ids:
            raise InvalidToken("the token was issued to an app client this service does not accept")

    def _claims_problem(self, claims: dict[str, Any], use: TokenUse) -> str:
        missing = sorted(name for name in REQUIRED_CLAIMS if claims.get(name) is None)
        if missing:
            return f"Missing claim: '{','.join(missing)}'"
        now = int(self._clock())
        for name in ("exp", "iat", "nbf"):
            if name in claims and not _numeric_date(claims[name]):
                return f"Invalid claim: '{name}'"
        if claims["exp"] <= now - self._leeway:
            return "The token is expired"
        if "nbf" in claims and claims["nbf"] > now + self._leeway:
            return "The token is not yet valid"
        if claims["iat"] > now + self._leeway:
            return "The token was issued in the future"
        if claims["iss"] != self._pool.issuer:
            return "Invalid claim: 'iss'"
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            return "Invalid claim: 'sub'"
        if claims["token_use"] != use:
            return "Invalid claim: 'token_use'"
        return ""


def _json_object(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment))
    except (ValueError, UnicodeError, RecursionError):
        raise InvalidToken("the token is not a well-formed JWT") from None
    if not isinstance(value, dict):
        raise InvalidToken("the token is not a well-formed JWT")
    return value


def _numeric_date(value: object) -> bool:
    # RFC 7519 NumericDate: a finite JSON number; true and false are not numbers.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
