"""Answering a retried request with the response its Idempotency-Key first got."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice import ConflictError, Response, UnprocessableEntityError

from {{ cookiecutter.project_slug }}_data import (
    Idempotency,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    StoredResponse,
)

REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotentResponses:
    """Runs a route's work once per (user, Idempotency-Key); replays the response after."""

    def __init__(self, service: str, idempotency: Idempotency | None) -> None:
        self._service = service
        # None when the stage names no sessions table.
        self._idempotency = idempotency

    def respond(
        self, key: str | None, user: str, payload: Any, work: Callable[[], Response]
    ) -> Response:
        """`work()` for a request without a key; with one, its first response, run once.

        409 while a request with the key runs, 422 for the key with another payload,
        503 when the stage keeps no idempotency records.
        """
        if key is None:
            return work()
        if self._idempotency is None:
            return Response(
                status_code=503,
                body={"Code": "ServiceUnavailable",
                      "Message": "Idempotency-Key is not supported in this stage"},
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
        try:
            # The partition starts with the service's name: its IAM policy allows no other.
            stored, replayed = self._idempotency.once(
                f"{self._service}#{user}", key, payload, lambda: _stored(work())
            )
        except IdempotencyKeyReused:
            raise UnprocessableEntityError(
                "this Idempotency-Key was used with another request; use a new key"
            ) from None
        except IdempotencyInProgress:
            raise ConflictError(
                "a request with this Idempotency-Key is in progress; retry later"
            ) from None
        headers: dict[str, str | list[str]] = {
            **stored.headers,
            REPLAYED_HEADER: "true" if replayed else "false",
        }
        return Response(status_code=stored.status, body=stored.body, headers=headers)


def _stored(response: Response) -> StoredResponse:
    body = response.body if isinstance(response.body, str) else json.dumps(response.body)
    headers = {name: value for name, value in response.headers.items() if isinstance(value, str)}
    return StoredResponse(status=response.status_code, body=body, headers=headers)
