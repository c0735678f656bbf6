"""Doing a request once per idempotency key, whatever the client retries (Powertools' pattern).

The first request with a key writes an IN_PROGRESS record (a conditional write on
the session store, so of concurrent requests exactly one gets it), runs, then keeps
its response as COMPLETED for the window. A later request with the key and the same
payload gets that response back and runs nothing; with another payload it is
refused (the key was reused by mistake); while the first still runs it is refused
as in progress. A request that fails removes its record, so a retry runs again; a
process that dies mid-way leaves a record whose short lock expires.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .errors import DataError
from .sessions import SessionStore

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
DEFAULT_WINDOW_SECONDS = 24 * 60 * 60


class IdempotencyKeyReused(DataError):
    """The key was used before with another payload."""


class IdempotencyInProgress(DataError):
    """A request with the key is running now."""


@dataclass(frozen=True)
class StoredResponse:
    """What the first request answered: replayed as it was."""

    status: int
    body: str
    headers: dict[str, str]


class Idempotency:
    """Runs an action at most once per (scope, key) within `window_seconds`."""

    def __init__(
        self,
        store: SessionStore,
        window_seconds: int = DEFAULT_WINDOW_SECONDS,
        lock_seconds: int = 60,
    ) -> None:
        self._store = store
        self._window = window_seconds
        # Longer than a request may run (the Lambda timeout), shorter than a client's patience.
        self._lock = lock_seconds

    def once(
        self, scope: str, key: str, payload: Any, action: Callable[[], StoredResponse]
    ) -> tuple[StoredResponse, bool]:
        """The action's response and False; or the first response with `key` and True.

        `scope` keeps keys of different callers (a user, a route) apart. Raises
        IdempotencyKeyReused or IdempotencyInProgress as described above.
        """
        # Hashed: a key is the client's string, of any length and characters.
        sort_key = "idempotency#" + hashlib.sha256(key.encode()).hexdigest()
        fingerprint = _fingerprint(payload)
        held = self._store.create(
            scope, sort_key, {"status": IN_PROGRESS, "fingerprint": fingerprint}, self._lock
        )
        if held is not None:
            if held.get("fingerprint") != fingerprint:
                raise IdempotencyKeyReused(scope)
            if held.get("status") != COMPLETED:
                raise IdempotencyInProgress(scope)
            return StoredResponse(**json.loads(held["response"])), True
        try:
            response = action()
        except BaseException:
            self._store.delete(scope, sort_key)
            raise
        completed = {
            "status": COMPLETED,
            "fingerprint": fingerprint,
            "response": json.dumps(asdict(response)),
        }
        self._store.put(scope, sort_key, completed, self._window)
        return response, False


def _fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
