"""`invoke hooks.install`: the pre-commit and pre-push hooks of .pre-commit-config.yaml."""

from __future__ import annotations

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from .layout import ROOT, require_venv, venv_bin


@task(name="install")
def install(c: Context) -> None:
    """Install the git pre-commit and pre-push hooks (all hooks are local: nothing is cloned)."""
    require_venv()
    if c.run("git rev-parse --show-toplevel", hide=True, warn=True).failed:
        raise Exit("Not a git repository: run `git init` first.", code=1)
    pre_commit = venv_bin("pre-commit")
    c.run(f"{pre_commit} install --hook-type pre-commit --hook-type pre-push", echo=True)
    print(f"Hooks installed for {ROOT.name}; run `{pre_commit} run --all-files` to try them.")


@task(name="run")
def run_all(c: Context) -> None:
    """Run every pre-commit hook over all files."""
    require_venv()
    c.run(f"{venv_bin('pre-commit')} run --all-files", echo=True)


ns = Collection("hooks")
ns.add_task(install)
ns.add_task(run_all)
