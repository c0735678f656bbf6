"""Verifying a Cognito user pool's JWTs as AWS documents it.

https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
RS256 only; the key chosen by `kid` from the pool's JWKS; `iss` is the pool;
`exp` and `iat` are required and checked with a small leeway (and `nbf` when
present); `token_use` is what the route asks for; an id token's `aud`, or an
access token's `client_id`, is one of the allowed app clients. The signature
work is joserfc's; nothing here does cryptography.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from .bearer import AuthenticationError
from .jwks import JwksCache, UnknownKey
from .user import CurrentUser
from .user_pool import UserPool

TokenUse = Literal["id", "access"]
ALGORITHM = "RS256"
# Cognito's headers are about 100 bytes; joserfc's own limit is the backstop.
MAX_HEADER_SEGMENT = 1024


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
    ) -> None:
        self._pool = pool
        self._keys = keys
        self._leeway = leeway_seconds
        self._clock = clock

    @property
    def keys(self) -> JwksCache:
        """The key cache (its `fetches` count is what tests and metrics read)."""
        return self._keys

    def verify(self, token: str, use: TokenUse) -> CurrentUser:
        """The user named by a valid token whose `token_use` claim is `use`.

        Raises InvalidToken, or JwksUnavailable when the pool's keys cannot be
        fetched (the caller answers 503, never accepts)."""
        header = self._header(token)
        try:
            key = self._keys.key(header["kid"])
        except UnknownKey:
            raise InvalidToken("the token is signed by a key the user pool does not have") from None
        try:
            decoded = jwt.decode(token, key, algorithms=[ALGORITHM])
        except (JoseError, ValueError):
            raise InvalidToken("the token's signature is not valid") from None
        self._check_claims(decoded.claims, use)
        return CurrentUser.from_claims(decoded.claims)

    def _header(self, token: str) -> dict[str, Any]:
        segments = token.split(".")
        if len(segments) != 3 or not all(segments):
            raise InvalidToken("the token is not a signed JWT (three segments)")
        if len(segments[0]) > MAX_HEADER_SEGMENT:
            raise InvalidToken("the token's header is too large")
        try:
            header: dict[str, Any] = dict(extract_compact(token.encode("ascii")).headers())
        except (JoseError, ValueError, UnicodeError):
            raise InvalidToken("the token is not a well-formed JWT") from None
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"the token must be signed with {ALGORITHM}")
        if not isinstance(header.get("kid"), str):
            raise InvalidToken("the token names no key (kid)")
        return header

    def _check_claims(self, claims: dict[str, Any], use: TokenUse) -> None:
        registry = jwt.JWTClaimsRegistry(
            now=int(self._clock()),
            leeway=self._leeway,
            iss={"essential": True, "value": self._pool.issuer},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            token_use={"essential": True, "value": use},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            reason = getattr(error, "description", None) or type(error).__name__
            raise InvalidToken(f"the token's claims are not valid: {reason}") from None
        client = claims.get("aud") if use == "id" else claims.get("client_id")
        if not isinstance(client, str) or client not in self._pool.client_ids:
            raise InvalidToken("the token was issued to an app client this service does not accept")
