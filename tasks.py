"""Tasks for working on the template itself (the generated project has its own tasks.py)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from invoke import Context, task

ROOT = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"
SOURCES = "hooks tests tasks.py"
# What cookiecutter renders: a change elsewhere (tests, tasks.py) does not reach a project.
TEMPLATE_PATHS = ("cookiecutter.json", "hooks", "{{cookiecutter.__project_dir}}")
DEMO_PROJECT = "acme_backend"  # the default answers' project folder


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
        "output_dir": "Folder to generate the demo project in (default: build/); "
        f"the {DEMO_PROJECT}/ in it is replaced",
        "first_port": "Port of the first service on 127.0.0.1; the others follow (default: 8001)",
        "cloud_port": "Port of the local cloud that `invoke dev` starts in the demo "
        "(default: the project's local_cloud.port, 4566)",
    }
)
def demo(
    c: Context, output_dir: str = "build", first_port: int = 8001, cloud_port: int = 0
) -> None:
    """Generate a project with the defaults, set it up (scripts/bootstrap), run its `invoke dev`.

    With `cruft create` when this template is a git work tree (the project can then
    follow template updates; uncommitted template changes are not in it), else with
    cookiecutter. `invoke dev` starts the local cloud, serves every service and prints,
    per service, its URL, a token command and a curl line. Ctrl-C stops everything.
    """
    out = (ROOT / output_dir).resolve()
    project = out / DEMO_PROJECT
    if project.exists():
        print(f"Replacing {project}")
        shutil.rmtree(project)
    out.mkdir(parents=True, exist_ok=True)
    if _is_git_work_tree(c):
        _note_uncommitted_changes(c)
        c.run(
            f"{VENV_BIN / 'cruft'} create --no-input --output-dir {shlex.quote(str(out))} "
            f"{shlex.quote(str(ROOT))}",
            echo=True,
        )
    else:
        print(
            f"Note: {ROOT} is not a git work tree, so cookiecutter generates the demo: it has "
            "no .cruft.json and will not follow template updates (`cruft update`)."
        )
        c.run(
            f"{VENV_BIN / 'cookiecutter'} --no-input --output-dir {shlex.quote(str(out))} "
            f"{shlex.quote(str(ROOT))}",
            echo=True,
        )
    # What `invoke setup` runs; the project's tasks need the .venv it makes.
    with c.cd(str(project)):
        c.run(shlex.quote(str(project / "scripts" / "bootstrap")), echo=True)
    command = [".venv/bin/invoke", "dev", "--first-port", str(int(first_port))]
    if cloud_port:
        command += ["--cloud-port", str(int(cloud_port))]
    print(f"In {project}: {shlex.join(command)}", flush=True)
    sys.stderr.flush()
    # `invoke dev` takes this process's place (and the dev server takes its place in
    # turn): Ctrl-C or a signal to this process reaches the dev server itself, which
    # stops the services, their stream delivery and the local cloud it started.
    os.chdir(project)
    os.execv(command[0], command)  # noqa: S606 (a fixed program, no shell)


def _is_git_work_tree(c: Context) -> bool:
    """True if the template root is the top of a git work tree with a commit (cruft clones it)."""
    top = c.run(f"git -C {shlex.quote(str(ROOT))} rev-parse --show-toplevel", hide=True, warn=True)
    if not top or top.failed or Path(top.stdout.strip()).resolve() != ROOT:
        return False
    head = c.run(
        f"git -C {shlex.quote(str(ROOT))} rev-parse --verify --quiet HEAD", hide=True, warn=True
    )
    return bool(head and head.ok)


def _note_uncommitted_changes(c: Context) -> None:
    """Say which template changes the demo lacks: cruft renders the last commit."""
    paths = " ".join(shlex.quote(path) for path in TEMPLATE_PATHS)
    status = c.run(
        f"git --no-optional-locks -C {shlex.quote(str(ROOT))} status --porcelain "
        f"--untracked-files=all -- {paths}",
        hide=True,
        warn=True,
    )
    changed = [line[3:] for line in (status.stdout.splitlines() if status else [])]
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        print(
            f"Note: the template has {len(changed)} uncommitted change(s) that cruft will not "
            f"include (it generates from the last commit): {', '.join(changed[:3])}{more}. "
            "Commit them to see them in the demo."
        )


@task(help={"upgrade": "Move every pin to the newest version the constraints allow"})
def lock(c: Context, upgrade: bool = False) -> None:
    """Recompile requirements/dev.lock from requirements/dev.in."""
    c.run(
        f"{VENV_BIN / 'uv'} pip compile --quiet --universal --python-version 3.11 "
        f"--generate-hashes {'--upgrade ' if upgrade else ''}"
        "--custom-compile-command 'invoke lock' requirements/dev.in -o requirements/dev.lock",
        echo=True,
    )
