"""The hooks' functions on their own: every rule of the pre-generation check, and the post steps."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS: dict[str, Any] = json.loads((ROOT / "cookiecutter.json").read_text())


def answers(**changes: str) -> dict[str, Any]:
    base = {key: value for key, value in DEFAULTS.items() if not key.startswith("_")}
    base.update(project_slug="acme_backend", python_version="3.12")
    base.update(changes)
    return base


def test_the_defaults_are_valid(pre_gen: ModuleType) -> None:
    assert pre_gen.problems(answers()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"project_slug": "1acme"}, "not a valid Python package name"),
        ({"project_slug": "acme-backend"}, "not a valid Python package name"),
        ({"project_slug": "class"}, "not a valid Python package name"),
        ({"project_slug": "json"}, "shadow the standard library"),
        ({"aws_region": "eu-west-9"}, "'eu-west-9' is not an AWS region"),
        ({"aws_region": "EU-WEST-1"}, "not an AWS region"),
        ({"stages": ""}, "at least one stage"),
        ({"stages": " , "}, "must match"),
        ({"stages": "dev,Prod"}, "stage 'Prod' must match"),
        ({"stages": "dev,1st"}, "stage '1st' must match"),
        ({"stages": "dev,qa_1"}, "stage 'qa_1' must match"),
        ({"stages": "dev,a-very-long-stage-name"}, "at most 16 characters"),
        ({"stages": "dev,dev"}, "listed twice: dev"),
        ({"protected_stages": "production"}, "protected stage 'production' is not one of"),
        ({"python_version": "3.8"}, "python_version '3.8' must be one of"),
        ({"project_name": "  "}, "project_name must not be empty"),
    ],
)
def test_each_bad_answer_is_named(
    pre_gen: ModuleType, changes: dict[str, str], expected: str
) -> None:
    found = pre_gen.problems(answers(**changes))
    assert any(expected in problem for problem in found), found


def test_spaces_around_commas_are_accepted(pre_gen: ModuleType) -> None:
    assert pre_gen.problems(answers(services=" notes , profiles ", stages="dev, prod")) == []


def test_main_prints_one_line_and_fails(
    pre_gen: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pre_gen, "RENDERED_ANSWERS", json.dumps(answers(stages="", aws_region="x")))
    assert pre_gen.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("ERROR: ")
    assert "at least one stage" in err
    assert "'x' is not an AWS region" in err
