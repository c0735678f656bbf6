"""A setting whose value must never show: in repr, str, logs or error messages."""

from __future__ import annotations

import hmac

MASK = "**********"


class SecretStr:
    """A string that hides itself; `get_secret_value()` is the only way to read it.

    Named and shaped like pydantic's SecretStr, so code written against it reads the same.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The value itself: pass it to what needs it, never to a log."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        # Constant time: equality on secrets should not leak how much of them matched.
        if not isinstance(other, SecretStr):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)
