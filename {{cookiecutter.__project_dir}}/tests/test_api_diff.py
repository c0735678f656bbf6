"""`invoke api.diff`: breaking changes of the documents since a git ref fail, listed; additive
changes pass. Each test works in a git repository of its own holding the documents."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit.api_diff import (
    DIFF_SCRIPT,
    ApiDiffError,
    breaking_changes,
    documents_at,
    working_documents,
)

from devtasks import api

ROOT = Path(__file__).resolve().parents[1]
Mutation = Callable[[dict[str, Any], str], None]


def _git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    *arguments], cwd=repo, check=True, capture_output=True)  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose `main` holds the project's documents, and the diff's tools."""
    for document in sorted((ROOT / "services").glob("*/openapi.yaml")):
        target = tmp_path / "services" / document.parent.name / "openapi.yaml"
        target.parent.mkdir(parents=True)
        shutil.copyfile(document, target)
    (tmp_path / DIFF_SCRIPT).parent.mkdir()
    shutil.copyfile(ROOT / DIFF_SCRIPT, tmp_path / DIFF_SCRIPT)
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    _git(tmp_path, "init", "--quiet", "--initial-branch", "main")
    _git(tmp_path, "add", "services", "scripts")
    _git(tmp_path, "commit", "--quiet", "--message", "The documents")
    return tmp_path


def _change(repo: Path, mutation: Mutation) -> str:
    """Apply `mutation` to the first service's document in the working tree; its name."""
    path = sorted((repo / "services").glob("*/openapi.yaml"))[0]
    document = yaml.safe_load(path.read_text())
    mutation(document, path.parent.name)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path.parent.name


def _item(service: str) -> str:
    """The path of one record in the service's document."""
    return "/" + service + "/{record_id}"


def _operation(document: dict[str, Any], service: str, method: str = "get") -> dict[str, Any]:
    return dict(document["paths"][f"/{service}"][method])


def _record(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["components"]["schemas"]["Record"])


def _batch_body(document: dict[str, Any], service: str) -> dict[str, Any]:
    body = document["paths"][f"/{service}/batch"]["post"]["requestBody"]
    return dict(body["content"]["application/json"]["schema"])


def _add_required_field(document: dict[str, Any], service: str) -> None:
    schema = _batch_body(document, service)
    schema["required"].append("mode")
    schema["properties"]["mode"] = {"type": "string"}


BREAKING: dict[str, tuple[Mutation, str]] = {
    "path-removed": (lambda d, s: d["paths"].pop("/me"), "GET /me: [Removed] operation GET /me"),
    "operation-removed": (
        lambda d, s: d["paths"][_item(s)].pop("delete"),
        "DELETE <item>: [Removed] operation",
    ),
    "required-query-parameter": (
        lambda d, s: _operation(d, s)["parameters"].append(
            {"name": "owner", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        "GET /<s>: [Added] required query parameter `owner`",
    ),
    "optional-parameter-made-required": (
        lambda d, s: _operation(d, s)["parameters"][0].update(required=True),
        "GET /<s>: [Added] required status to required query parameter `limit`",
    ),
    "required-body-field": (_add_required_field, "POST /<s>/batch: [Added] required status"),
    "request-narrowed": (
        lambda d, s: _batch_body(d, s)["properties"]["items"].update(maxItems=10),
        "POST /<s>/batch: [Replaced] maxItems validator",
    ),
    "status-removed": (
        lambda d, s: d["paths"][_item(s)]["get"]["responses"].pop("404"),
        "GET <item>: [Removed] Response 404",
    ),
    "response-property-removed": (
        lambda d, s: _record(d)["properties"].pop("version"),
        "POST /<s>: [Removed] property `version` in Response 201",
    ),
    "response-type-changed": (
        lambda d, s: _record(d)["properties"]["version"].update(type="string"),
        "components/schemas/Record: [Replaced] properties/version/type: 'integer' -> 'string'",
    ),
}

ADDITIVE: dict[str, Mutation] = {
    "new-path": lambda d, s: d["paths"].update(
        {"/extra": {"get": {"responses": {"200": {"description": "OK"}}}}}
    ),
    "optional-query-parameter": lambda d, s: _operation(d, s)["parameters"].append(
        {"name": "sort", "in": "query", "schema": {"type": "string"}}
    ),
    "optional-body-field": lambda d, s: _batch_body(d, s)["properties"].update(
        mode={"type": "string"}
    ),
    "new-status": lambda d, s: d["paths"][_item(s)]["get"]["responses"].update(
        {"410": {"description": "Gone"}}
    ),
    "new-response-property": lambda d, s: _record(d)["properties"].update(etag={"type": "string"}),
    "new-description": lambda d, s: d["info"].update(description="Changed words only"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BREAKING))
def test_each_breaking_change_is_found(repo: Path, name: str) -> None:
    mutation, expected = BREAKING[name]
    service = _change(repo, mutation)
    changes = breaking_changes(repo, documents_at(repo, "main"), working_documents(repo))
    listed = [str(change) for change in changes]
    prefix = f"{service}: " + expected.replace("<item>", _item(service)).replace("<s>", service)
    assert any(line.startswith(prefix) for line in listed), listed


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ADDITIVE))
def test_additive_changes_pass(repo: Path, name: str) -> None:
    _change(repo, ADDITIVE[name])
    assert breaking_changes(repo, documents_at(repo, "main"), working_documents(repo)) == []


def test_a_removed_service_breaks_and_a_new_one_does_not(repo: Path) -> None:
    before = documents_at(repo, "main")
    gone, *kept = sorted(before)
    after = {name: before[name] for name in kept} | {"newcomer": before[gone]}
    assert [str(change) for change in breaking_changes(repo, before, after)] == [
        f"{gone}: openapi.yaml: removed: the whole API is gone"
    ]


def test_the_task_lists_breaking_changes_and_fails(
    repo: Path, invoke_config: Config, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(api, "ROOT", repo)
    api.diff(MockContext(config=invoke_config))  # no change yet; the default base is main
    assert capsys.readouterr().out.endswith("api.diff: no breaking changes.\n")
    service = _change(repo, BREAKING["required-query-parameter"][0])
    _change(repo, ADDITIVE["new-path"])
    with pytest.raises(Exit) as stopped:
        api.diff(MockContext(config=invoke_config), base="main")
    assert (stopped.value.code, stopped.value.message) == (
        1,
        "api.diff: 1 breaking change(s) since main.",
    )
    assert f"  {service}: GET /{service}: [Added] required query parameter `owner`\n" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("base", ["no-such-branch", "--output=/tmp/x", "main~5"])
def test_an_unknown_ref_stops_it_with_one_line(
    repo: Path, invoke_config: Config, monkeypatch: pytest.MonkeyPatch, base: str
) -> None:
    monkeypatch.setattr(api, "ROOT", repo)
    with pytest.raises(Exit) as stopped:
        api.diff(MockContext(config=invoke_config), base=base)
    assert (stopped.value.code, stopped.value.message) == (
        1,
        f"api.diff: unknown git ref {base!r}: name a branch, tag or commit",
    )


def test_outside_a_repository_it_says_so(tmp_path: Path) -> None:
    with pytest.raises(ApiDiffError, match="not a git repository"):
        documents_at(tmp_path, "main")
