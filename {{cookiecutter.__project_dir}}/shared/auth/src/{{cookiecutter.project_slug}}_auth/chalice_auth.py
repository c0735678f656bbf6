"""Routes that need a signed-in user, in a Chalice app: the same code locally and deployed.

    auth = ChaliceAuth(app, verifier=lambda: dependencies.get().verifier)

    @app.route("/notes/{id}", methods=["DELETE"])
    @auth.required(groups=["admins"])
    def delete(id: str) -> Response:
        user = auth.user()

A missing or bad token is 401 with a WWW-Authenticate challenge (RFC 6750), a
user without the group or scope is 403, and keys that cannot be fetched are 503.
No response echoes the token. API Gateway's Cognito authorizer may stand in
front when deployed; the check here still runs, so the route never depends on it.
"""

from __future__ import annotations

import contextvars
import functools
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from chalice import Chalice, Response

from .bearer import AuthenticationError, bearer_token
from .jwks import JwksUnavailable
from .jwt_verifier import InvalidToken, TokenUse, TokenVerifier
from .user import CurrentUser

F = TypeVar("F", bound=Callable[..., Any])
RETRY_AFTER_SECONDS = "5"

_current_user: contextvars.ContextVar[CurrentUser] = contextvars.ContextVar("current_user")


class ChaliceAuth:
    """Guards for the routes of one Chalice app, against one verifier."""

    def __init__(self, app: Chalice, verifier: Callable[[], TokenVerifier | None]) -> None:
        self._app = app
        self._verifier = verifier

    def required(
        self,
        groups: Iterable[str] = (),
        scopes: Iterable[str] = (),
        use: TokenUse = "access",
    ) -> Callable[[F], F]:
        """Decorate a view (below `@app.route`) so only a signed-in user gets through:
        one in any of `groups`, holding every one of `scopes`, presenting a token
        whose `token_use` is `use` ("access" or "id")."""
        wanted_groups, wanted_scopes = frozenset(groups), frozenset(scopes)

        def decorate(view: F) -> F:
            @functools.wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                outcome = self._authenticate(use)
                if isinstance(outcome, Response):
                    return outcome
                if wanted_groups and not outcome.in_any_group(*wanted_groups):
                    return self._forbidden("the user is not in a group this route needs")
                if not wanted_scopes <= outcome.scopes:
                    return self._forbidden(
                        "the token lacks a scope this route needs", " ".join(sorted(wanted_scopes))
                    )
                reset = _current_user.set(outcome)
                try:
                    return view(*args, **kwargs)
                finally:
                    _current_user.reset(reset)

            return guarded  # type: ignore[return-value]

        return decorate

    def user(self) -> CurrentUser:
        """The user of the request being handled; only inside a `required` route."""
        try:
            return _current_user.get()
        except LookupError:
            raise RuntimeError("auth.user() outside a route guarded by auth.required") from None

    def _authenticate(self, use: TokenUse) -> CurrentUser | Response:
        request = self._app.current_request
        headers = request.headers if request is not None else {}
        verifier = self._verifier()
        if verifier is None:
            return _error(503, "ServiceUnavailable", "sign-in is not configured for this stage",
                          {"Retry-After": RETRY_AFTER_SECONDS})  # fmt: skip
        try:
            return verifier.verify(bearer_token(headers.get("authorization")), use)
        except JwksUnavailable:
            return _error(503, "ServiceUnavailable", "tokens cannot be checked right now",
                          {"Retry-After": RETRY_AFTER_SECONDS})  # fmt: skip
        except InvalidToken as error:
            return self._unauthorized(str(error), 'error="invalid_token"')
        except AuthenticationError as error:
            # No credentials at all: RFC 6750 sends the bare challenge.
            missing = headers.get("authorization") is None
            return self._unauthorized(str(error), "" if missing else 'error="invalid_request"')

    def _unauthorized(self, message: str, error: str) -> Response:
        challenge = ", ".join(filter(None, [f'Bearer realm="{self._app.app_name}"', error]))
        return _error(401, "Unauthorized", message, {"WWW-Authenticate": challenge})

    def _forbidden(self, message: str, scope: str = "") -> Response:
        parts = [f'Bearer realm="{self._app.app_name}"', 'error="insufficient_scope"']
        if scope:
            parts.append(f'scope="{scope}"')
        return _error(403, "Forbidden", message, {"WWW-Authenticate": ", ".join(parts)})


def _error(status: int, code: str, message: str, headers: dict[str, str]) -> Response:
    return Response(
        body=json.dumps({"Code": code, "Message": message}),
        status_code=status,
        headers={"Content-Type": "application/json", **headers},
    )
