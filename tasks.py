"""Tasks for working on the template itself (the generated project has its own tasks.py)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from invoke import Context, task

ROOT = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"
SOURCES = "hooks tests tasks.py"


@task(
    name="test",
    help={"workers": "pytest-xdist processes (default: one per core)", "fast": "Skip slow bakes"},
)
def run_tests(c: Context, workers: str = "auto", fast: bool = False) -> None:
    """Run the template's tests: hook units, fast bakes, then bakes that set up and test."""
    selection = " -m 'not slow'" if fast else ""
    # loadgroup: the slow bakes run in the pairs test_bake.py groups them in; durations
    # show what each bake costs.
    c.run(
        f"{VENV_BIN / 'pytest'} -n {shlex.quote(workers)} --dist loadgroup --durations 8"
        f"{selection} tests",
        echo=True,
        pty=False,
    )


@task()
def lint(c: Context) -> None:
    """Check the template's own code with ruff, black and mypy (the template folder has its own)."""
    # The whole tree: the settings exclude the template folder, which the bakes check.
    c.run(f"{VENV_BIN / 'ruff'} check .", echo=True)
    c.run(f"{VENV_BIN / 'black'} --check --quiet .", echo=True)
    c.run(f"{VENV_BIN / 'mypy'} {SOURCES}", echo=True)


@task(
    help={
        "output_dir": "Where to generate the demo project (default: build/)",
        "first_port": "Port of the first service",
    }
)
def demo(c: Context, output_dir: str = "build", first_port: int = 8001) -> None:
    """Generate a project with the defaults, set it up, and serve it on the local cloud."""
    out = (ROOT / output_dir).resolve()
    project = out / "acme_backend"
    if project.exists():
        print(f"Replacing {project}")
        shutil.rmtree(project)
    c.run(f"{VENV_BIN / 'cookiecutter'} --no-input --output-dir {shlex.quote(str(out))} {ROOT}")
    invoke = VENV_BIN / "invoke"
    with c.cd(str(project)):
        c.run(f"{invoke} setup", echo=True)
        c.run(f".venv/bin/invoke dev --first-port {int(first_port)}", echo=True, pty=True)


@task(help={"upgrade": "Move every pin to the newest version the constraints allow"})
def lock(c: Context, upgrade: bool = False) -> None:
    """Recompile requirements/dev.lock from requirements/dev.in."""
    c.run(
        f"{VENV_BIN / 'uv'} pip compile --quiet --universal --python-version 3.11 "
        f"--generate-hashes {'--upgrade ' if upgrade else ''}"
        "--custom-compile-command 'invoke lock' requirements/dev.in -o requirements/dev.lock",
        echo=True,
    )
