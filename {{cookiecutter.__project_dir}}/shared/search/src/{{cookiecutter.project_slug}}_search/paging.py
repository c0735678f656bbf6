"""Opaque page tokens: what an engine needs to resume, bound to the query it came from.

A token is base64url JSON, not signed: it holds only positions in public results, so
a forged one can do no more than ask for another page. Binding it to the engine and
the query makes a token reused elsewhere a clean InvalidPageToken, not a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from .errors import InvalidPageToken, InvalidQuery
from .port import MAX_PAGE_SIZE

MAX_TOKEN_CHARS = 512


def query_digest(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]


def encode_token(engine: str, query: str, position: Any) -> str:
    payload = {"e": engine, "q": query_digest(query), "p": position}
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(engine: str, query: str, token: str) -> Any:
    """The position `encode_token` put in `token`; InvalidPageToken if it is not one of
    this engine's tokens for this query."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidPageToken("the page token is too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidPageToken("the page token is not one this service issued") from error
    if not isinstance(payload, dict) or payload.get("e") != engine or "p" not in payload:
        raise InvalidPageToken("the page token is not one this service issued")
    if payload.get("q") != query_digest(query):
        raise InvalidPageToken("the page token belongs to another query")
    return payload["p"]


def check_page_size(page_size: int) -> None:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidQuery(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
