"""CloudWatch Logs' JSON filter patterns, evaluated locally against a log line.

Neither moto nor LocalStack's open-source runtime evaluates JSON patterns
(TestMetricFilter is missing there), so tests check infra/'s metric filters with
this instead. It covers the subset the template uses and refuses the rest
loudly: `{ $.a.b = "x" && $.n >= 3 || ... }` with =, != on strings (a trailing
`*` is a prefix match) and =, !=, <, <=, >, >= on numbers. A line that is not a
JSON object matches nothing, as in CloudWatch.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TERM = re.compile(
    r"""\s*(?P<selector>\$(?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*
        (?P<op>=|!=|<=|>=|<|>)\s*
        (?:"(?P<string>[^"]*)"|(?P<number>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_*-]*))\s*""",
    re.VERBOSE,
)
_MISSING = object()


class UnsupportedPattern(ValueError):
    """The pattern uses syntax this evaluator does not implement; the message quotes it."""


def matches(pattern: str, line: str) -> bool:
    """Whether CloudWatch Logs would count `line` for the JSON filter `pattern`."""
    body = pattern.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise UnsupportedPattern(f"not a JSON filter pattern: {pattern!r}")
    try:
        event = json.loads(line)
    except ValueError:
        return False
    if not isinstance(event, dict):
        return False
    # && binds tighter than ||, as in CloudWatch's grammar.
    return any(
        all(_term(term, event, pattern) for term in alternative.split("&&"))
        for alternative in body[1:-1].split("||")
    )


def _term(text: str, event: dict[str, Any], pattern: str) -> bool:
    found = _TERM.fullmatch(text)
    if found is None:
        raise UnsupportedPattern(f"cannot evaluate {text.strip()!r} in {pattern!r}")
    value: Any = event
    for key in found["selector"].split(".")[1:]:
        value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
    op = found["op"]
    if found["number"] is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return _compare(float(value), op, float(found["number"]))
    if op not in ("=", "!="):
        raise UnsupportedPattern(f"{op} needs a number in {pattern!r}")
    expected = found["string"] if found["string"] is not None else found["word"]
    if value is _MISSING or isinstance(value, dict | list):
        return op == "!=" and value is not _MISSING
    actual = str(value).lower() if isinstance(value, bool) else str(value)
    equal = actual.startswith(expected[:-1]) if expected.endswith("*") else actual == expected
    return equal == (op == "=")


def _compare(actual: float, op: str, expected: float) -> bool:
    return {
        "=": actual == expected,
        "!=": actual != expected,
        "<": actual < expected,
        "<=": actual <= expected,
        ">": actual > expected,
        ">=": actual >= expected,
    }[op]
