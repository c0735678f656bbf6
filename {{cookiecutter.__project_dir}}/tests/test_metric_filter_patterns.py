"""The local evaluator of CloudWatch Logs' JSON filter patterns, on lines our services write."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.project_slug }}_devkit.metric_filter_patterns import UnsupportedPattern, matches

ERROR = json.dumps({"level": "ERROR", "service": "s", "latency": 250, "ok": False})
INFO = json.dumps({"level": "INFO", "service": "s", "latency": 20})


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ('{ $.level = "ERROR" }', ERROR, True),
        ('{ $.level = "ERROR" }', INFO, False),
        ('{ $.level = "ERROR" }', "ERROR: not JSON", False),
        ('{ $.level = "ERROR" }', json.dumps(["level", "ERROR"]), False),
        ('{ $.level = "ERR*" }', ERROR, True),
        ('{ $.level != "ERROR" }', INFO, True),
        ('{ $.missing != "x" }', INFO, False),
        ("{ $.latency > 100 }", ERROR, True),
        ("{ $.latency > 100 }", INFO, False),
        ('{ $.latency >= 20 && $.level = "INFO" }', INFO, True),
        ('{ $.level = "WARN" || $.latency < 50 }', INFO, True),
        ('{ $.level = "WARN" || $.latency < 10 }', INFO, False),
        ('{ $.service.name = "s" }', ERROR, False),
        ("{ $.level = 1 }", ERROR, False),
    ],
)
def test_patterns_match_as_cloudwatch_documents(pattern: str, line: str, expected: bool) -> None:
    assert matches(pattern, line) is expected


@pytest.mark.parametrize(
    "pattern", ["ERROR", '{ ($.level = "ERROR") }', "{ $.level IS NULL }", '{ $.level > "a" }']
)
def test_syntax_it_does_not_know_is_refused_not_guessed(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        matches(pattern, ERROR)
