"""`invoke lint` and `invoke format`: the same checks the pre-commit hooks and CI run."""

from __future__ import annotations

from invoke import Context, task

from .api_validators import check_validators
from .layout import PYTHON_SOURCES, SHARED, require_venv, service_names, venv_bin

SOURCES = " ".join(PYTHON_SOURCES)
INFRA_TEMPLATES = "infra/*.yaml"


@task()
def lint(c: Context) -> None:
    """Check style (ruff, black), types (mypy), the CloudFormation of infra/ (cfn-lint), and that
    each service's generated request validators match its openapi.yaml."""
    require_venv()
    check_validators()
    c.run(f"{venv_bin('ruff')} check {SOURCES}", echo=True)
    c.run(f"{venv_bin('black')} --check --quiet {SOURCES}", echo=True)
    c.run(f"{venv_bin('cfn-lint')} {INFRA_TEMPLATES}", echo=True)
    typecheck(c)


@task()
def typecheck(c: Context) -> None:
    """Check types with mypy: the shared code, tasks and tests, then each service on its own."""
    require_venv()
    for command in mypy_commands():
        c.run(command, echo=True)


@task(name="format")
def format_(c: Context) -> None:
    """Rewrite the sources in the project's style (ruff's fixes, then black)."""
    require_venv()
    c.run(f"{venv_bin('ruff')} check --fix --quiet {SOURCES}", echo=True)
    c.run(f"{venv_bin('black')} --quiet {SOURCES}", echo=True)


def mypy_commands() -> list[str]:
    """One mypy run for the shared code, tasks and cross-service tests, then one per service.

    Every service has top-level modules named `app` and `chalicelib`, which one mypy
    run cannot tell apart; each run gets its own cache for the same reason.
    """
    mypy = venv_bin("mypy")
    shared = " ".join(str(path.relative_to(SHARED.parent)) for path in sorted(SHARED.glob("*/src")))
    commands = [f"{mypy} --cache-dir .mypy_cache/project {shared} devtasks tasks.py tests"]
    commands += [
        f"{mypy} --cache-dir .mypy_cache/{name} services/{name}" for name in service_names()
    ]
    return commands
