"""The user pool's signing keys (JWKS): fetched once per process, refetched on rotation only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from .rs256 import RsaPublicKey

# Cognito's JWKS is well under 2 KiB; a body far larger is not a key set.
MAX_JWKS_BYTES = 64 * 1024


class JwksUnavailable(Exception):
    """The key set cannot be fetched now; requests fail closed (503) until it can."""


class UnknownKey(Exception):
    """No key of the pool has this `kid`, even after looking again."""


def fetch_json(url: str, timeout: float) -> Any:
    """GET `url` and parse its JSON body within `timeout` seconds per socket operation."""
    # Imported here: only the first guarded request of a process fetches keys.
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (the pool's URL)
        return json.loads(response.read(MAX_JWKS_BYTES + 1)[:MAX_JWKS_BYTES])


def signing_keys(document: Any) -> dict[str, RsaPublicKey]:
    """The RS256 signing keys of a JWKS document by `kid`; ValueError if it is no key set.

    Keys of other types, other algorithms or other uses are left out: none of them can
    verify an RS256 token.
    """
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("alg", "RS256") != "RS256":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("kty") != "RSA":
            continue
        key = RsaPublicKey.from_jwk(jwk)
        keys[key.kid] = key
    return keys


class JwksCache:
    """The pool's RSA keys by `kid`, for the life of the process.

    The first lookup fetches the set. A `kid` the set lacks triggers one refetch,
    in case the pool rotated its keys, but at most one per `refetch_interval`
    seconds: a flood of made-up kids costs one fetch, not one per request. While
    the set cannot be fetched, it is tried again at most every `retry_interval`.
    """

    def __init__(
        self,
        url: str,
        fetch: Callable[[str, float], Any] = fetch_json,
        timeout: float = 2.0,
        refetch_interval: float = 60.0,
        retry_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._timeout = timeout
        self._refetch_interval = refetch_interval
        self._retry_interval = retry_interval
        self._clock = clock
        self._keys: dict[str, RsaPublicKey] | None = None
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()
        self.fetches = 0

    def key(self, kid: str) -> RsaPublicKey:
        """The key named `kid`. Raises UnknownKey, or JwksUnavailable if no set was ever fetched."""
        keys = self._keys
        if keys is not None and kid in keys:
            return keys[kid]
        with self._lock:
            keys = self._keys
            wait = self._refetch_interval if keys is not None else self._retry_interval
            if (keys is None or kid not in keys) and self._clock() - self._fetched_at >= wait:
                keys = self._load()
        if keys is None:
            raise JwksUnavailable("the user pool's keys are not available yet")
        if kid not in keys:
            raise UnknownKey("no key of the user pool has this kid")
        return keys[kid]

    def _load(self) -> dict[str, RsaPublicKey]:
        self.fetches += 1
        # Counted as fetched even when it fails, so an outage is not a fetch per request.
        self._fetched_at = self._clock()
        try:
            keys = signing_keys(self._fetch(self._url, self._timeout))
        except (OSError, ValueError, TypeError, KeyError) as error:
            if self._keys is not None:
                return self._keys
            raise JwksUnavailable(
                f"the user pool's keys cannot be fetched ({type(error).__name__})"
            ) from None
        self._keys = keys
        return keys
