"""Tokens already verified, so a client sending the same token again skips the RSA work.

Keyed by the SHA-256 of the whole token (the token itself is never kept), an entry
lives until the token's `exp` or `max_age` seconds, whichever comes first, and the
least recently used entry goes when `capacity` is reached. Only tokens that passed
every check are stored; a refused token is checked afresh each time. `max_age`
bounds how long a key the pool has since withdrawn keeps a token accepted.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .user import CurrentUser

DEFAULT_CAPACITY = 1024
DEFAULT_MAX_AGE = 300.0


@dataclass(frozen=True)
class _Entry:
    user: CurrentUser
    use: str
    until: float


class VerifiedTokens:
    """A bounded map from a verified token's digest to its user, for one verifier."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._capacity = capacity
        self._max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, use: str) -> CurrentUser | None:
        """The user of `token` if it was verified for `use` and has not expired since."""
        digest = _digest(token)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if self._clock() >= entry.until:
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
        # Another use than the one verified: the caller checks it in full (and refuses it).
        return entry.user if entry.use == use else None

    def put(self, token: str, use: str, user: CurrentUser, expires_at: float) -> None:
        """Remember that `token` is valid for `use` until `expires_at` (its `exp`)."""
        if self._capacity <= 0:
            return
        until = min(expires_at, self._clock() + self._max_age)
        digest = _digest(token)
        with self._lock:
            self._entries[digest] = _Entry(user, use, until)
            self._entries.move_to_end(digest)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
