"""Tokens for tests: real ones from the local cloud's user pool, and forged ones to reject.

moto signs every user pool's tokens with one RSA key whose private half ships in
moto's package. Tests use it to sign claims the pool would never issue (expired,
no `exp`, wrong audience, ...): a verifier that accepts any of them is broken.
The same fact is why a deployed verifier must only trust the pool's own JWKS URL.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import time
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.jwk import RSAKey

from .local_users import ensure_users
from .project_config import LocalUser


@dataclass(frozen=True)
class Tokens:
    """What a sign-in returns: an id token and an access token."""

    id_token: str
    access_token: str


def sign_in(cognito: Any, client_id: str, username: str, password: str) -> Tokens:
    """USER_PASSWORD_AUTH against the pool of `client_id`."""
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    return Tokens(result["IdToken"], result["AccessToken"])


def new_user_tokens(cognito: Any, pool_id: str, client_id: str, user: LocalUser) -> Tokens:
    """Create `user` in the pool and sign them in."""
    (line,) = ensure_users(cognito, pool_id, [user])
    password = line.rsplit("password: ", 1)[1]
    return sign_in(cognito, client_id, user.username, password)


def moto_signing_key() -> RSAKey:
    """The private key moto signs every user pool's tokens with."""
    resource = importlib.resources.files("moto.cognitoidp") / "resources" / "jwks-private.json.gz"
    return RSAKey.import_key(json.loads(gzip.decompress(resource.read_bytes())))


def stranger_key() -> RSAKey:
    """A key no pool has, named as moto's key is (kid `dummy`)."""
    return RSAKey.generate_key(2048, parameters={"kid": "dummy"})


def claims_of(token: str) -> dict[str, Any]:
    """The payload of `token`, unverified (to copy and change it)."""
    payload: dict[str, Any] = json.loads(jws.extract_compact(token.encode()).payload)
    return payload


def forge(claims: dict[str, Any], key: RSAKey, header: dict[str, Any] | None = None) -> str:
    """Sign `claims` with `key` (RS256, kid of the key unless `header` says otherwise)."""
    return jwt.encode({"alg": "RS256", "kid": key.kid, **(header or {})}, claims, key)


def now() -> int:
    """The current time as a NumericDate."""
    return int(time.time())
