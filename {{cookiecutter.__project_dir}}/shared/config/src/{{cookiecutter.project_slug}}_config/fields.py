"""Declaring a setting's constraints, and turning an environment string into its type.

The checks and messages follow the ones pydantic gave these settings before (a
message names the rule, never the value), in a few stdlib lines: pydantic cost
every cold start about 0.4 s of import and its bundle 5 MB.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from typing import Any, Literal

# The metadata key under which `setting()` keeps a field's constraints.
CONSTRAINTS = "constraints"


@dataclasses.dataclass(frozen=True)
class Constraints:
    """What a value must satisfy besides its type."""

    pattern: str | None = None
    min_length: int | None = None
    ge: float | None = None
    le: float | None = None

    def problems(self, value: object) -> list[str]:
        """Messages for each rule `value` breaks; none of them repeats the value."""
        found = []
        if isinstance(value, str):
            if self.min_length is not None and len(value) < self.min_length:
                unit = "character" if self.min_length == 1 else "characters"
                found.append(f"String should have at least {self.min_length} {unit}")
            if self.pattern is not None and not re.search(self.pattern, value):
                found.append(f"String should match pattern '{self.pattern}'")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.ge is not None and value < self.ge:
                found.append(f"Input should be greater than or equal to {self.ge:g}")
            if self.le is not None and value > self.le:
                found.append(f"Input should be less than or equal to {self.le:g}")
        return found


def setting(
    *,
    default: Any = dataclasses.MISSING,
    pattern: str | None = None,
    min_length: int | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """A settings field with constraints, as `stage: str = setting(pattern=...)`."""
    constraints = Constraints(pattern, min_length, ge, le)
    return dataclasses.field(default=default, metadata={CONSTRAINTS: constraints})


class ConversionError(ValueError):
    """An environment string is not of the field's type; the message never holds the value."""


def converter(annotation: Any) -> Callable[[str], Any]:
    """How to turn the environment's string into a value of `annotation`.

    str, int, float, bool, Literal of strings, and any class built from one string
    (SecretStr, pydantic's SecretStr, Path, ...).
    """
    if annotation is str:
        return str
    if annotation is bool:
        return _to_bool
    if annotation is int:
        return _number(int, "Input should be a valid integer")
    if annotation is float:
        return _number(float, "Input should be a valid number")
    if typing.get_origin(annotation) is Literal:
        return lambda raw: raw  # membership is checked with the constraints
    if isinstance(annotation, type):
        return annotation
    raise TypeError(f"settings cannot read a {annotation!r} from the environment")


def type_problems(annotation: Any, value: object) -> list[str]:
    """Why `value` is not of `annotation` (for settings built directly, not from strings)."""
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        if value not in choices:
            listed = ", ".join(repr(choice) for choice in choices[:-1])
            return [f"Input should be {listed} or {choices[-1]!r}"]
        return []
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return []
    if isinstance(annotation, type) and (
        not isinstance(value, annotation) or (annotation is int and isinstance(value, bool))
    ):
        return [f"Input should be of type {annotation.__name__}"]
    return []


def _number(kind: type[int] | type[float], message: str) -> Callable[[str], Any]:
    def convert(raw: str) -> Any:
        try:
            return kind(raw.strip())
        except ValueError:
            raise ConversionError(message) from None

    return convert


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _to_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConversionError("Input should be a valid boolean")
