"""Reading an OAuth 2.0 bearer token (RFC 6750) from an Authorization header."""

from __future__ import annotations

# A Cognito token is a few KiB; anything far larger is not worth parsing.
MAX_TOKEN_LENGTH = 16 * 1024


class AuthenticationError(Exception):
    """The request carries no usable credentials. The message never contains the token."""


def bearer_token(authorization: str | None) -> str:
    """Return the token of an `Authorization: Bearer <token>` header value.

    Raises AuthenticationError when the header is missing, uses another scheme,
    is empty, contains whitespace inside the token, or is oversized.
    """
    if not authorization:
        raise AuthenticationError("missing Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthenticationError("the Authorization scheme must be Bearer")
    token = token.strip()
    # str.split() breaks on exactly what str.isspace() calls whitespace, in C: a per-character
    # generator cost 60 µs per Cognito-sized token, a quarter of a whole request.
    if len(token.split(maxsplit=1)) != 1:
        raise AuthenticationError("malformed bearer token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthenticationError("bearer token too large")
    return token
