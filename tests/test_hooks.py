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
        ({"services": "notes,my-service"}, "'my-service' is not a lower-case Python identifier"),
        ({"services": "notes,Notes2"}, "'Notes2' is not a lower-case Python identifier"),
        ({"services": "notes,notes"}, "listed twice: notes"),
        ({"services": "notes,class"}, "'class' is a Python keyword"),
        ({"services": "notes,match"}, "'match' is a Python keyword"),
        ({"services": "notes,,orders"}, "empty name"),
        ({"services": ""}, "at least one service"),
        ({"services": "notes,chalicelib"}, "reserved"),
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
        (
            {"project_slug": "a" * 40, "services": "b" * 20},
            "exceed AWS's 64 characters",
        ),
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


def test_chalice_config_names_each_stage_resources(post_gen: ModuleType) -> None:
    config = post_gen.chalice_config("acme", "notes", ["dev", "prod"], "eu-west-1")
    assert config["app_name"] == "acme-notes"
    assert list(config["stages"]) == ["dev", "prod"]
    env = config["stages"]["prod"]["environment_variables"]
    assert env == {
        "APP_STAGE": "prod",
        "APP_SERVICE": "notes",
        "APP_REGION": "eu-west-1",
        "APP_TABLE_NAME": "acme-prod-notes",
        "APP_LOG_LEVEL": "INFO",
    }


def test_iam_policy_grants_only_the_stage_own_table(post_gen: ModuleType) -> None:
    policy = post_gen.iam_policy("acme", "notes", "dev", "eu-west-1")
    resources = [statement["Resource"] for statement in policy["Statement"]]
    assert resources[0] == "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-notes"
    assert all("prod" not in resource for resource in resources)


def test_create_service_fills_in_the_name(post_gen: ModuleType, tmp_path: Path) -> None:
    skeleton = tmp_path / "services" / "__service__"
    (skeleton / "tests").mkdir(parents=True)
    (skeleton / "app.py").write_text('app = Chalice(app_name="x-__service__")\n')
    (skeleton / "tests" / "test___service__.py").write_text("SERVICE = '__service__'\n")

    target = post_gen.create_service(tmp_path, "orders", "x", ["dev"], "eu-west-1")

    assert (target / "app.py").read_text() == 'app = Chalice(app_name="x-orders")\n'
    assert (target / "tests" / "test_orders.py").read_text() == "SERVICE = 'orders'\n"
    assert (target / ".chalice" / "policy-dev.json").is_file()


def test_answers_are_recorded_for_cruft_without_machine_paths(
    post_gen: ModuleType, tmp_path: Path
) -> None:
    recorded = {**answers(), "_template": "gh:acme/template", "_output_dir": "/home/me/x"}
    post_gen.write_answers(tmp_path, recorded)
    cruft = json.loads((tmp_path / ".cruft.json").read_text())
    assert cruft["template"] == "gh:acme/template"
    assert cruft["context"]["cookiecutter"]["services"] == "profiles,notes"
    assert "_output_dir" not in cruft["context"]["cookiecutter"]
    assert set(cruft) >= {"template", "commit", "checkout", "context", "directory", "skip"}
