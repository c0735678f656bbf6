"""Bake the template with each supported combination of answers and check the result.

Fast tier: the tree, rendered text, lint and parsed configuration of each bake.
Slow tier (`-m slow`): bake, then run the project's own `invoke setup`, `lint`, `test`, and
for the defaults `test --engine localstack` on LocalStack's real runtime.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UNRENDERED = re.compile(r"\{\{|\{%|cookiecutter\.|__service__")
# The service skeleton keeps its placeholder until `invoke service.new` names a service;
# the generator names the placeholder.
NOT_RENDERED_BY_DESIGN = {"skeleton", "service_generator.py"}


@dataclass(frozen=True)
class Case:
    id: str
    context: dict[str, str] = field(default_factory=dict)
    # Also run the integration tests on a real LocalStack (its host runtime, Python >= 3.13).
    localstack: bool = False
    # The slow bakes take minutes each. Under `--dist loadgroup` each group runs on one
    # pytest-xdist worker: two groups of about equal length, so CI waits for the longer
    # pair instead of three bakes that landed on one worker in a row.
    slow_group: str = "slow-a"

    @property
    def services(self) -> list[str]:
        return [name.strip() for name in self.context.get("services", "profiles,notes").split(",")]

    @property
    def stages(self) -> list[str]:
        return [name.strip() for name in self.context.get("stages", "dev,staging,prod").split(",")]

    @property
    def protected(self) -> list[str]:
        raw = self.context.get("protected_stages", "prod")
        return [name.strip() for name in raw.split(",") if name.strip()]


SUPPORTED = [
    # The longest bake (two engines) shares a worker with the shortest (one service).
    Case("defaults", localstack=True, slow_group="slow-a"),
    Case(
        "one-service-py313",
        {"project_name": "Order Desk", "services": "orders", "python_version": "3.13"},
        slow_group="slow-a",
    ),
    Case(
        "four-services",
        {
            "project_name": "Big Shop",
            "services": "profiles, notes, orders, user_prefs",
            "aws_region": "us-east-2",
        },
        slow_group="slow-b",
    ),
    Case(
        "custom-stages",
        {"stages": "qa,uat,live", "protected_stages": "uat,live", "aws_region": "ap-southeast-2"},
        slow_group="slow-b",
    ),
]

UNSUPPORTED = [
    Case("slug-not-a-package", {"project_slug": "2fast"}),
    Case("service-not-identifier", {"services": "notes,order-desk"}),
    Case("service-duplicated", {"services": "notes,notes"}),
    Case("service-keyword", {"services": "notes,import"}),
    Case("service-name-too-long", {"project_slug": "a" * 40, "services": "b" * 20}),
    Case("slug-is-a-path", {"project_slug": "a/b"}),
    Case("slug-climbs-out", {"project_slug": "../escape"}),
    Case("unknown-region", {"aws_region": "mars-north-1"}),
    Case("empty-stages", {"stages": ""}),
    Case("bad-stage-name", {"stages": "dev,Prod"}),
    Case("protected-not-a-stage", {"protected_stages": "production"}),
]


def bake(cookies: Any, case: Case) -> Path:
    result = cookies.bake(extra_context=case.context)
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return Path(result.project_path)


def text_files(project: Path) -> list[Path]:
    return [
        path
        for path in project.rglob("*")
        if path.is_file()
        and ".venv" not in path.parts
        and not NOT_RENDERED_BY_DESIGN & {path.name, *path.parts}
    ]


@pytest.mark.parametrize("case", SUPPORTED, ids=lambda case: case.id)
def test_bake_has_the_expected_tree(cookies: Any, case: Case) -> None:
    project = bake(cookies, case)
    for name in [
        "README.md", "tasks.py", "pyproject.toml", ".pre-commit-config.yaml", ".env.example",
        ".gitignore", "invoke.yaml", "requirements/dev.lock",
        "infra/stage.yaml", ".github/workflows/ci.yml", "tests/test_packaging.py",
    ]:  # fmt: skip
        assert (project / name).is_file(), name
    for package in ("config", "data", "auth", "observability", "devkit"):
        assert (project / "shared" / package / "pyproject.toml").is_file()
    # The skeleton stays, for `invoke service.new`; the hook never writes cruft's file.
    slug = project.name
    assert (project / "shared/devkit/src" / f"{slug}_devkit" / "skeleton/service/app.py").is_file()
    assert not (project / ".cruft.json").exists()
    assert sorted(path.name for path in (project / "services").iterdir()) == sorted(case.services)
    for service in case.services:
        folder = project / "services" / service
        for name in ["app.py", "chalicelib/composition.py", ".chalice/config.json",
                     "openapi.yaml", "requirements.txt", "tests/test_api.py"]:  # fmt: skip
            assert (folder / name).is_file(), f"{service}/{name}"
        for stage in case.stages:
            assert (folder / ".chalice" / f"policy-{stage}.json").is_file()


@pytest.mark.parametrize("case", SUPPORTED, ids=lambda case: case.id)
def test_bake_leaves_nothing_unrendered(cookies: Any, case: Case) -> None:
    project = bake(cookies, case)
    leftovers = [
        f"{path.relative_to(project)}: {match.group(0)}"
        for path in text_files(project)
        for match in [UNRENDERED.search(path.read_text(encoding="utf-8"))]
        if match
    ]
    assert leftovers == []


@pytest.mark.parametrize("case", SUPPORTED, ids=lambda case: case.id)
def test_bake_is_ruff_clean_under_its_own_settings(cookies: Any, case: Case) -> None:
    project = bake(cookies, case)
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [str(BIN / "black"), "--check", "--quiet", "."], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", SUPPORTED, ids=lambda case: case.id)
def test_bake_configuration_carries_the_answers(cookies: Any, case: Case) -> None:
    project = bake(cookies, case)
    python = case.context.get("python_version", "3.12")
    region = case.context.get("aws_region", "eu-west-1")

    settings = yaml.safe_load((project / "invoke.yaml").read_text())
    assert list(settings["stages"]) == case.stages
    assert [name for name, stage in settings["stages"].items() if stage["protected"]] == (
        case.protected
    )
    assert settings["project"]["region"] == region
    assert settings["project"]["python"] == python

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["mypy"]["python_version"] == python
    assert (project / ".python-version").read_text().strip() == python

    for service in case.services:
        config_path = project / "services" / service / ".chalice" / "config.json"
        config = json.loads(config_path.read_text())
        assert list(config["stages"]) == case.stages
        assert config["stages"][case.stages[-1]]["environment_variables"]["APP_REGION"] == region

    template = (project / "infra" / "stage.yaml").read_text()
    for service in case.services:
        assert f'TableName: !Sub "${{Project}}-${{Stage}}-{service}"' in template
    # One block per service in each marked region, in the order of the answer.
    logical = ["".join(part.capitalize() for part in name.split("_")) for name in case.services]
    tables = re.findall(r"^  (\w+)Table:$", template, re.MULTILINE)
    outputs = re.findall(r"^  (\w+)TableStreamArn:$", template, re.MULTILINE)
    # Besides each service's table, its change log (and tables of the stage, not per service).
    assert [name for name in tables if name in logical] == logical
    assert [name.removesuffix("ChangeLog") for name in tables if name.endswith("ChangeLog")] == (
        logical
    )
    assert outputs == logical

    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in hooks["repos"]] == ["local"]


def test_template_toml_is_valid_before_rendering() -> None:
    # Tools read these files unrendered (ruff walks into the template folder's
    # configuration), so Jinja may only appear inside TOML strings.
    template = ROOT / "{{cookiecutter.__project_dir}}"
    paths = sorted(template.rglob("*.toml"))
    assert paths
    for path in paths:
        tomllib.loads(path.read_text(encoding="utf-8"))


def test_tool_pins_agree_between_template_and_project() -> None:
    def pins(path: Path) -> dict[str, str]:
        found = re.findall(r"^([a-z0-9-]+)(?:\[[^\]]*\])?==(\S+)", path.read_text(), re.MULTILINE)
        return dict(found)

    template = pins(ROOT / "requirements" / "dev.in")
    project = pins(ROOT / "{{cookiecutter.__project_dir}}" / "requirements" / "dev.in")
    shared = sorted(set(template) & set(project))
    assert {"black", "invoke", "mypy", "pre-commit", "ruff", "uv"} <= set(shared)
    assert {name: template[name] for name in shared} == {name: project[name] for name in shared}


@pytest.mark.parametrize("case", UNSUPPORTED, ids=lambda case: case.id)
def test_bad_answers_stop_the_bake_and_leave_nothing(
    cookies: Any, case: Case, tmp_path: Path
) -> None:
    result = cookies.bake(extra_context=case.context)
    assert result.exit_code != 0
    assert isinstance(result.exception, FailedHookException)
    # pytest-cookies bakes into <tmp_path>/cookies/bake00.
    assert list((tmp_path / "cookies" / "bake00").iterdir()) == []


def test_bad_answers_print_one_clear_line(tmp_path: Path) -> None:
    command = [str(BIN / "cookiecutter"), "--no-input", "--output-dir", str(tmp_path), str(ROOT)]
    result = subprocess.run([*command, "services=notes,order-desk"], capture_output=True, text=True)
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert ours == [
        "ERROR: service 'order-desk' is not a lower-case Python identifier ([a-z][a-z0-9_]*)."
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=case.id, marks=pytest.mark.xdist_group(case.slow_group))
        for case in SUPPORTED
    ],
)
def test_baked_project_sets_up_lints_and_passes_its_tests(cookies: Any, case: Case) -> None:
    project = bake(cookies, case)
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    # The defaults get the whole suite; the other answers change names and counts, which
    # the fast tier (`invoke test --fast`, every suite without `slow`/`packaging`) covers.
    tier = [] if not case.context else ["--fast"]
    commands = [
        ["scripts/bootstrap"],
        [".venv/bin/invoke", "lint"],
        [".venv/bin/invoke", "test", *tier],
    ]
    if case.localstack:
        commands.append([".venv/bin/invoke", "test", "--engine", "localstack"])
    for command in commands:
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        output = f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
        assert result.returncode == 0, f"{' '.join(command)} failed in {case.id}:\n{output}"
