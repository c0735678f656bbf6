"""`invoke setup` and `invoke lock`: the project's virtual environment, reproducibly."""

from __future__ import annotations

import shlex
import sys

from invoke import Context, task

from .layout import ROOT, venv_bin

LOCK = "requirements/dev.lock"
LOCALSTACK_SOURCE = "requirements/localstack.in"
LOCALSTACK_LOCK = "requirements/localstack.lock"
LOCK_SOURCE = "requirements/dev.in"


@task(
    help={
        "python": "Interpreter to build .venv from (default: one found for project.python)",
        "recreate": "Delete .venv first and build it from scratch",
    }
)
def setup(c: Context, python: str = "", recreate: bool = False) -> None:
    """Bring .venv up to date: locked tools, shared packages (editable), services' requirements.

    The work is scripts/bootstrap's, which makes .venv before any Invoke exists. It
    also installs the Node tools of package-lock.json (`invoke api.*`) with npm ci
    when the lock changed or node_modules/ is missing.
    """
    options = [f"--python {shlex.quote(python)}"] if python else []
    if recreate:
        options.append("--recreate")
    c.run(" ".join([sys.executable, str(ROOT / "scripts" / "bootstrap"), *options]), echo=True)


@task(help={"upgrade": "Move every pin to the newest version the constraints allow"})
def lock(c: Context, upgrade: bool = False) -> None:
    """Compile dev.in and localstack.in of requirements/ into their hashed lock files."""
    uv = venv_bin("uv") if (ROOT / venv_bin("uv")).exists() else "uv"
    common = (
        f"{uv} pip compile --quiet --generate-hashes --custom-compile-command 'invoke lock' "
        f"{'--upgrade ' if upgrade else ''}"
    )
    oldest = str(c.config.project.python)
    c.run(f"{common}--universal --python-version {oldest} {LOCK_SOURCE} -o {LOCK}")
    # LocalStack's runtime has its own interpreter (>= 3.13); its dependencies do not
    # resolve for every platform at once, so this lock is for the platform that ran it.
    c.run(f"{common}--python-version 3.13 {LOCALSTACK_SOURCE} -o {LOCALSTACK_LOCK}")
