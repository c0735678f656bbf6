"""JSON documents a record can hold: parsed from a request body and checked against limits.py.

A document that passes reads back from DynamoDB as the same JSON values; one that
does not is refused with InvalidDocument, whose message names the rule and where
in the document (a JSON Pointer) it is broken. Nothing here talks to DynamoDB.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from .errors import InvalidDocument
from .limits import (
    MAX_BODY_BYTES,
    MAX_BODY_DEPTH,
    NUMBER_MAX_EXPONENT,
    NUMBER_MAX_SIGNIFICANT_DIGITS,
    NUMBER_MIN_EXPONENT,
)

_POINTER_SHOWN = 120  # characters of a location echoed back: keys can be long


def parse_document(raw: bytes | str | None, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The JSON object in a request body; InvalidDocument if it is none.

    Only parsing happens here (size, UTF-8, syntax, an object at the top); whether a
    record can hold it is `check_document`'s, which the repository calls on every write.
    """
    if not raw:
        raise InvalidDocument("the body must be a JSON object")
    if isinstance(raw, str):
        # Lone surrogates pass through here, to be refused below as not UTF-8.
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > max_bytes:
        raise InvalidDocument(f"the body must be at most {max_bytes} bytes")
    try:
        # JSON on the wire is UTF-8 (RFC 8259); json.loads would also guess UTF-16 or 32.
        value = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        # The parser recurses once per level: far deeper than allowed, refuse as such.
        raise InvalidDocument(_too_deep("")) from None
    except ValueError as error:  # also UnicodeDecodeError: the body is not UTF-8
        raise InvalidDocument(f"the body is not valid JSON: {_reason(error)}") from None
    if not isinstance(value, dict):
        raise InvalidDocument("the body must be a JSON object")
    return value


def check_document(document: dict[str, Any], at: str = "") -> None:
    """InvalidDocument unless every value in `document` can be stored and read back as sent.

    `at` is where the document sits in the body (a JSON Pointer such as "/items/3"),
    for the message; depth counts from the document itself, as stored.
    """
    if at and len(json.dumps(document).encode()) > MAX_BODY_BYTES:
        raise InvalidDocument(f"{_at(at)}: records must be at most {MAX_BODY_BYTES} bytes")
    # Iterative, so a deep document costs no recursion; each entry is (value, depth, pointer).
    pending: list[tuple[Any, int, str]] = [(document, 1, at)]
    while pending:
        value, depth, pointer = pending.pop()
        if isinstance(value, dict):
            if depth > MAX_BODY_DEPTH:
                raise InvalidDocument(_too_deep(pointer))
            for key, inner in value.items():
                if len(key) == 0:
                    raise InvalidDocument(f"{_at(pointer)}: object keys must not be empty")
                _check_text(key, pointer, "object keys")
                pending.append((inner, depth + 1, f"{pointer}/{_escaped(key)}"))
        elif isinstance(value, list):
            if depth > MAX_BODY_DEPTH:
                raise InvalidDocument(_too_deep(pointer))
            pending.extend(
                (inner, depth + 1, f"{pointer}/{index}") for index, inner in enumerate(value)
            )
        elif isinstance(value, str):
            _check_text(value, pointer, "strings")
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int | float):
            _check_number(value, pointer)
        else:
            raise InvalidDocument(f"{_at(pointer)}: {type(value).__name__} is not a JSON value")


def _check_number(value: int | float, pointer: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidDocument(f"{_at(pointer)}: numbers must be finite")
    # repr gives the shortest digits that read back as the same float, as JSON writes it.
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if exact.is_zero():
        return
    # Not Decimal.normalize: it rounds to the context's 28 digits.
    digits = len("".join(map(str, exact.as_tuple().digits)).strip("0"))
    if digits > NUMBER_MAX_SIGNIFICANT_DIGITS:
        raise InvalidDocument(
            f"{_at(pointer)}: numbers may have at most {NUMBER_MAX_SIGNIFICANT_DIGITS} "
            f"significant digits (this one has {digits})"
        )
    if not NUMBER_MIN_EXPONENT <= exact.adjusted() <= NUMBER_MAX_EXPONENT:
        raise InvalidDocument(
            f"{_at(pointer)}: numbers must be 0 or between 1E{NUMBER_MIN_EXPONENT} and "
            f"1E+{NUMBER_MAX_EXPONENT + 1} in magnitude"
        )


def _check_text(text: str, pointer: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate such as "\ud800": JSON allows the escape, UTF-8 cannot hold it.
        raise InvalidDocument(f"{_at(pointer)}: {what} must be valid Unicode") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _reason(error: ValueError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8"
    return str(error).splitlines()[0][:200]


def _too_deep(pointer: str) -> str:
    return f"{_at(pointer)}: objects and arrays may nest at most {MAX_BODY_DEPTH} levels"


def _at(pointer: str) -> str:
    if not pointer:
        return "the body"
    shown = pointer if len(pointer) <= _POINTER_SHOWN else pointer[:_POINTER_SHOWN] + "…"
    # A key may hold a lone surrogate; the message must still be encodable.
    return "the body at " + shown.encode("utf-8", "backslashreplace").decode("utf-8")


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
