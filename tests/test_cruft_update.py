"""cruft follows a project made from this template, as the README tells users to make it.

The template's working tree (tracked files and untracked ones git does not ignore, so
uncommitted template edits are tested too) is copied into a throwaway git repository
and committed (commit A). Two projects are made from it with `cruft create`: one from
the absolute path, one from a relative path. Both get local commits; then the template
gets commit B, changing a shared package, the service skeleton and `.env.example`, and
`cruft update` brings it into each project.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType
from typing import Any

import cruft
import pytest

ROOT = Path(__file__).resolve().parents[1]
CRUFT = Path(sys.executable).parent / "cruft"
# The clean project's answers: not the defaults, so the test sees its own answers rendered.
ANSWERS = {"project_name": "Cruft Check", "aws_region": "eu-central-1"}
SLUG = "cruft_check"
# Added after generation with the project's own generator, as `invoke service.new` does.
ADDED_SERVICE = "billing"
SERVICES = ("profiles", "notes", ADDED_SERVICE)
SKELETON = Path("shared/devkit/src/{{cookiecutter.project_slug}}_devkit/skeleton/service")
DATA_RECORDS = Path("shared/data/src/{{cookiecutter.project_slug}}_data/records.py")
# What commit B adds to the skeleton's http.py and .env.example, before rendering.
HTTP_LINE_B = "# Template commit B: the __service__ service of {{ cookiecutter.project_name }}."
ENV_LINE_B = "APP_REGION={{ cookiecutter.aws_region }}"
# Commit B's new first line of the data package's records.py; the conflict project
# changes the same line its own way.
DATA_LINE_B = '"""The values the repository hands out to {{ cookiecutter.project_name }}."""'
DATA_LINE_LOCAL = '"""Our own words for the values the repository hands out."""'
LOCAL_LINE = "# A local edit that cruft update must keep."

# One worker runs the whole module: its fixture makes the template's commits in order.
pytestmark = pytest.mark.xdist_group("cruft")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def copy_working_tree(destination: Path) -> None:
    """Copy what git would commit from the template's working tree, uncommitted edits too."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree, or a submodule
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def edit_lines(path: Path, first: str | None = None, append: str | None = None) -> None:
    """Replace the first line of `path` and/or add a line at its end."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if first is not None:
        lines[0] = first + "\n"
    if append is not None:
        lines.append(append + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def files_named(project: Path, pattern: str) -> list[Path]:
    return [
        path for path in project.rglob(pattern) if ".git" not in path.relative_to(project).parts
    ]


@dataclass(frozen=True)
class Outcome:
    """What one cruft command returned and printed."""

    value: Any
    output: str


def cli(*args: str | Path) -> Outcome:
    """Run `cruft ARGS` as the README shows; the value is its exit status."""
    result = subprocess.run(
        [str(CRUFT), *map(str, args)], capture_output=True, text=True, check=False
    )
    return Outcome(result.returncode, result.stdout + result.stderr)


def call(command: Callable[..., Any], **kwargs: Any) -> Outcome:
    """Run a cruft command in-process (its CLI calls the same functions), keeping its output.

    The README's command lines run once each through `cli`; the rest run in-process,
    because each `cruft` process spends over a second importing its CLI.
    """
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        value = command(**kwargs)
    return Outcome(value, output.getvalue())


@dataclass(frozen=True)
class Run:
    """What the fixture saw; each test checks one part of it."""

    template: Path
    commit_a: str
    commit_b: str
    clean: Path
    conflict: Path
    relative_template: str
    fresh_state: dict[str, Any]
    fresh_diff: Outcome
    clean_update: Outcome
    conflict_update: Outcome


@pytest.fixture(scope="module")
def cruft_run(tmp_path_factory: pytest.TempPathFactory, post_gen: ModuleType) -> Run:
    base = tmp_path_factory.mktemp("cruft")
    config = base / "cookiecutterrc.yaml"
    config.write_text(
        f"cookiecutters_dir: {base / 'cookiecutters'}\nreplay_dir: {base / 'replay'}\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        # No one's git or cookiecutter settings (signing, hooks, default answers) apply.
        for name, value in {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Template Test",
            "GIT_AUTHOR_EMAIL": "template-test@example.com",
            "GIT_COMMITTER_NAME": "Template Test",
            "GIT_COMMITTER_EMAIL": "template-test@example.com",
            "COOKIECUTTER_CONFIG": str(config),
        }.items():
            patch.setenv(name, value)
        template = base / "template"
        copy_working_tree(template)
        git(template, "init", "--quiet", "--initial-branch", "main")
        commit_a = commit_all(template, "A")

        # The clean project: `cruft create <absolute path>` with answers of its own.
        out = base / "out"
        created = cli(
            "create", template, "--no-input", "--output-dir", out,
            "--extra-context", json.dumps(ANSWERS),
        )  # fmt: skip
        assert created.value == 0, created.output
        clean = out / SLUG
        fresh_state = json.loads((clean / ".cruft.json").read_text(encoding="utf-8"))
        fresh_diff = cli("diff", "--exit-code", "--project-dir", clean)

        # The conflict project: the defaults, made from a relative path in a sibling folder.
        sibling = base / "sibling"
        sibling.mkdir()
        relative_template = os.path.relpath(template, sibling)
        with contextlib.chdir(sibling):
            made = call(cruft.create, template_git_url=relative_template, no_input=True).value
        conflict = sibling / made

        # Each project is a git repository with local commits of its own.
        for project in (clean, conflict):
            git(project, "init", "--quiet", "--initial-branch", "main")
            commit_all(project, "Generated")
        edit_lines(clean / "services" / "notes" / "chalicelib" / "records.py", append=LOCAL_LINE)
        edit_lines(clean / "services" / "profiles" / "chalicelib" / "http.py", first=LOCAL_LINE)
        generator = post_gen.load_generator(clean, SLUG)
        generator.add_service(clean, ADDED_SERVICE)
        assert generator.record_in_answers(clean, ADDED_SERVICE)
        commit_all(clean, "Local edits and a service")
        conflict_data = conflict / "shared" / "data" / "src" / "acme_backend_data" / "records.py"
        edit_lines(conflict_data, first=DATA_LINE_LOCAL)
        commit_all(conflict, "Local edit")

        # Commit B of the template: a shared package, the service skeleton, .env.example.
        tree = template / "{{cookiecutter.__project_dir}}"
        edit_lines(tree / DATA_RECORDS, first=DATA_LINE_B)
        edit_lines(tree / SKELETON / "chalicelib" / "http.py", append=HTTP_LINE_B)
        edit_lines(tree / ".env.example", append=ENV_LINE_B)
        commit_b = commit_all(template, "B")

        # `cruft update --skip-apply-ask` in each project.
        clean_update = call(cruft.update, project_dir=clean, skip_apply_ask=True)
        conflict_update = call(cruft.update, project_dir=conflict, skip_apply_ask=True)
        return Run(
            template=template,
            commit_a=commit_a,
            commit_b=commit_b,
            clean=clean,
            conflict=conflict,
            relative_template=relative_template,
            fresh_state=fresh_state,
            fresh_diff=fresh_diff,
            clean_update=clean_update,
            conflict_update=conflict_update,
        )


def test_fresh_project_records_the_template_and_commit_a(cruft_run: Run) -> None:
    state = cruft_run.fresh_state
    assert state["template"] == str(cruft_run.template)
    assert state["commit"] == cruft_run.commit_a
    assert state["context"]["cookiecutter"]["services"] == "profiles,notes"
    # Nothing the project needs is left out of updates: no skip entry, here or in pyproject.
    pyproject = tomllib.loads((cruft_run.clean / "pyproject.toml").read_text(encoding="utf-8"))
    skipped = [*state.get("skip", []), *pyproject.get("tool", {}).get("cruft", {}).get("skip", [])]
    assert not [pattern for pattern in skipped if fnmatch(".env.example", pattern)]
    assert (cruft_run.clean / ".env.example").is_file()


def test_fresh_project_has_no_diff_from_its_template(cruft_run: Run) -> None:
    result = cruft_run.fresh_diff
    assert result.value == 0, result.output
    assert not result.output.strip()


def test_relative_template_path_is_recorded_as_an_absolute_path(cruft_run: Run) -> None:
    """cruft resolves a relative path before it clones, so the record works from anywhere."""
    assert not Path(cruft_run.relative_template).is_absolute()
    recorded = Path(json.loads((cruft_run.conflict / ".cruft.json").read_text())["template"])
    assert recorded.is_absolute()
    assert recorded.resolve() == cruft_run.template.resolve()


def test_update_brings_template_changes_to_every_service(cruft_run: Run) -> None:
    project = cruft_run.clean
    result = cruft_run.clean_update
    assert result.value is True, result.output
    assert "Good work" in result.output, result.output
    for service in SERVICES:
        http = (project / "services" / service / "chalicelib" / "http.py").read_text()
        assert f"# Template commit B: the {service} service of Cruft Check.\n" in http, service
    skeleton = project / "shared" / "devkit" / "src" / f"{SLUG}_devkit" / "skeleton" / "service"
    assert (
        "the __service__ service of Cruft Check."
        in (skeleton / "chalicelib" / "http.py").read_text()
    )
    data = project / "shared" / "data" / "src" / f"{SLUG}_data" / "records.py"
    assert (
        data.read_text().splitlines()[0]
        == '"""The values the repository hands out to Cruft Check."""'
    )
    assert "APP_REGION=eu-central-1" in (project / ".env.example").read_text().splitlines()
    # The local edits stay, in a file the update left alone and in one it changed.
    assert LOCAL_LINE in (project / "services" / "notes" / "chalicelib" / "records.py").read_text()
    profiles_http = (project / "services" / "profiles" / "chalicelib" / "http.py").read_text()
    assert profiles_http.startswith(LOCAL_LINE + "\n")
    assert not files_named(project, "*.rej")
    assert "<<<<<<<" not in git(project, "diff")
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == cruft_run.commit_b
    assert state["context"]["cookiecutter"]["services"] == ",".join(SERVICES)


def test_same_line_change_comes_back_as_conflict_markers(cruft_run: Run) -> None:
    project = cruft_run.conflict
    result = cruft_run.conflict_update
    assert result.value is True, result.output
    data = (project / "shared" / "data" / "src" / "acme_backend_data" / "records.py").read_text()
    assert "<<<<<<<" in data
    assert DATA_LINE_LOCAL in data
    assert '"""The values the repository hands out to Acme Backend."""' in data
    assert not files_named(project, "*.rej")
    # git records the conflict too: `git status` lists the file as unmerged.
    unmerged = git(project, "diff", "--name-only", "--diff-filter=U").split()
    assert unmerged == ["shared/data/src/acme_backend_data/records.py"]
    # The changes that do not conflict arrive all the same.
    for service in ("profiles", "notes"):
        http = (project / "services" / service / "chalicelib" / "http.py").read_text()
        assert f"the {service} service of Acme Backend." in http
    assert "APP_REGION=eu-west-1" in (project / ".env.example").read_text().splitlines()
    assert json.loads((project / ".cruft.json").read_text())["commit"] == cruft_run.commit_b
