"""The project's service generator: the rules a service name obeys, and a service added later
being made exactly as the template makes the first ones (the hook and `invoke service.new`
share it)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GENERATOR = (
    ROOT
    / "{{cookiecutter.__project_dir}}/shared/devkit/src/{{cookiecutter.project_slug}}_devkit"
    / "service_generator.py"
)
# What a project's tree holds that no generator writes.
NOT_COMPARED = {
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "node_modules",
}


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load(GENERATOR, "template_service_generator")


@pytest.fixture
def facts(generator: ModuleType) -> Any:
    stages = tuple(
        generator.StageFacts(name, "eu-west-1", level)
        for name, level in (("dev", "DEBUG"), ("staging", "INFO"), ("prod", "INFO"))
    )
    return generator.ProjectFacts(prefix="acme-backend", stages=stages)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("my-service", "'my-service' is not a lower-case Python identifier"),
        ("Notes2", "'Notes2' is not a lower-case Python identifier"),
        ("2notes", "not a lower-case Python identifier"),
        ("no/slash", "not a lower-case Python identifier"),
        ("class", "'class' is a Python keyword"),
        ("match", "'match' is a Python keyword"),
        ("chalicelib", "reserved"),
        ("notes", "'notes' exists already"),
        ("", "needs a name"),
        ("b" * 60, "exceed AWS's 64 characters"),
    ],
)
def test_each_bad_name_is_named(
    generator: ModuleType, facts: Any, name: str, expected: str
) -> None:
    problems = generator.name_problems(name, ["notes", "profiles"], facts)
    assert len(problems) == 1
    assert expected in problems[0]


def test_a_good_name_has_no_problem(generator: ModuleType, facts: Any) -> None:
    assert generator.name_problems("user_prefs", ["notes"], facts) == []


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        ([], "at least one service"),
        (["notes", "notes"], "listed twice: notes"),
        (["notes", "", "orders"], "needs a name"),
        (["notes", "my-service"], "'my-service' is not a lower-case"),
    ],
)
def test_the_services_answer_is_checked_whole(
    generator: ModuleType, facts: Any, services: list[str], expected: str
) -> None:
    problems = generator.answer_problems(services, facts)
    assert any(expected in problem for problem in problems), problems


def test_chalice_config_names_each_stage_resources(generator: ModuleType, facts: Any) -> None:
    config = generator.chalice_config("acme", "notes", facts.stages)
    assert config["app_name"] == "acme-notes"
    assert list(config["stages"]) == ["dev", "staging", "prod"]
    assert config["stages"]["prod"]["environment_variables"] == {
        "APP_STAGE": "prod",
        "APP_SERVICE": "notes",
        "APP_REGION": "eu-west-1",
        "APP_TABLE_NAME": "acme-prod-notes",
        "APP_CHANGE_LOG_TABLE_NAME": "acme-prod-notes-changes",
        "APP_SESSIONS_TABLE_NAME": "acme-prod-sessions",
        "APP_LOG_LEVEL": "INFO",
    }
    assert config["stages"]["dev"]["environment_variables"]["APP_LOG_LEVEL"] == "DEBUG"


def test_iam_policy_grants_only_the_stage_own_table(generator: ModuleType, facts: Any) -> None:
    policy = generator.iam_policy("acme", "notes", facts.stages[0])
    resources = [statement["Resource"] for statement in policy["Statement"]]
    assert resources[0] == "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-notes"
    assert all("prod" not in resource for resource in resources)
    by_sid = {statement["Sid"]: statement for statement in policy["Statement"]}
    log = by_sid["OwnChangeLog"]
    assert log["Resource"] == "arn:aws:dynamodb:eu-west-1:*:table/acme-dev-notes-changes"
    # The stream mapping's on-failure destination sends with the function's own role.
    queue = by_sid["OwnStreamFailureQueue"]
    assert queue["Action"] == ["sqs:SendMessage"]
    assert queue["Resource"] == "arn:aws:sqs:eu-west-1:*:acme-dev-notes-stream-failures"


def tree(project: Path) -> dict[str, bytes]:
    """Every file of a project, by relative path, except caches and environments."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not NOT_COMPARED & set(path.relative_to(project).parts)
    }


def bake(cookies: Any, services: str) -> Path:
    result = cookies.bake(extra_context={"services": services})
    assert result.exception is None, result.exception
    return Path(result.project_path)


def project_generator(project: Path) -> ModuleType:
    path = project / "shared/devkit/src" / f"{project.name}_devkit" / "service_generator.py"
    return load(path, f"generator_{id(project)}")


def test_a_service_added_later_is_the_service_the_template_makes(cookies: Any) -> None:
    later = bake(cookies, "orders,notes")
    project_generator(later).add_service(later, "user_prefs")
    at_once = bake(cookies, "orders,notes,user_prefs")
    assert tree(later) == tree(at_once)


@pytest.mark.parametrize("name", ["notes", "class", "Bad-Name", "../x", "tests", "app", "x" * 70])
def test_a_refused_name_changes_nothing(cookies: Any, name: str) -> None:
    project = bake(cookies, "orders,notes")
    before = tree(project)
    generator = project_generator(project)
    with pytest.raises(generator.ServiceError):
        generator.add_service(project, name)
    assert tree(project) == before


def test_a_stage_template_without_its_markers_is_refused_before_writing(cookies: Any) -> None:
    project = bake(cookies, "orders")
    stage = project / "infra" / "stage.yaml"
    stage.write_text(stage.read_text().replace("  # services: outputs end\n", ""))
    before = tree(project)
    generator = project_generator(project)
    with pytest.raises(generator.ServiceError, match="services: outputs end"):
        generator.add_service(project, "billing")
    assert tree(project) == before


@pytest.mark.slow
@pytest.mark.xdist_group("slow-b")
def test_service_new_adds_a_service_that_lints_and_passes_its_tests(cookies: Any) -> None:
    project = bake(cookies, "orders,notes")
    at_once = bake(cookies, "orders,notes,billing")
    env = {key: value for key, value in __import__("os").environ.items() if key != "VIRTUAL_ENV"}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)

    assert run("scripts/bootstrap").returncode == 0
    refused = run(".venv/bin/invoke", "service.new", "class")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "service.new: service 'class' is a Python keyword."
    ]
    added = run(".venv/bin/invoke", "service.new", "billing")
    assert added.returncode == 0, added.stdout + added.stderr
    # By design the README's example calls the first service by name, which the answer
    # names at once and `service.new` does not rewrite; every other file is equal.
    later, baked = tree(project), tree(at_once)
    later.pop("README.md"), baked.pop("README.md")
    # Paths, then the paths whose contents differ: a failure names files, not their bytes.
    assert sorted(later) == sorted(baked)
    assert [path for path in later if later[path] != baked[path]] == []
    for command in (("lint",), ("test", "--service", "billing")):
        result = run(".venv/bin/invoke", *command)
        output = f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        assert result.returncode == 0, f"invoke {' '.join(command)}:\n{output}"
