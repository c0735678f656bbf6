"""Breaking changes of each service's openapi.yaml between a git ref and the working tree.

api-smart-diff (node_modules/, called by scripts/api-diff.mjs) compares the two
documents with every `$ref` resolved and classifies each change. Breaking: a path or
operation removed, a new required parameter or request body field, a request schema
narrowed, a response property or status removed, a response type changed. Additive
changes (a new path, an optional parameter, a new response field) are not. A service
whose document is gone breaks all its clients; a new service breaks none.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .node_tools import node, node_tool

DIFF_SCRIPT = Path("scripts") / "api-diff.mjs"
DOCUMENT = "openapi.yaml"
# Tried in this order when no base is given: the main branch, here or on the remote.
DEFAULT_BASES = ("main", "origin/main")
_ACTIONS = {"add": "[Added]", "remove": "[Removed]", "replace": "[Replaced]",
            "rename": "[Renamed]"}  # fmt: skip
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


class ApiDiffError(Exception):
    """The comparison itself failed (unknown ref, no git, unreadable document)."""


@dataclass(frozen=True)
class BreakingChange:
    """One breaking change of a service's document."""

    service: str
    where: str
    description: str

    def __str__(self) -> str:
        return f"{self.service}: {self.where}: {self.description}"


def default_base(root: Path) -> str:
    """The first of DEFAULT_BASES that names a commit; ApiDiffError if none does."""
    _git(root, "rev-parse", "--git-dir")
    for ref in DEFAULT_BASES:
        if _commit(root, ref):
            return ref
    raise ApiDiffError(f"no main branch here ({' or '.join(DEFAULT_BASES)}): pass --base REF")


def documents_at(root: Path, ref: str) -> dict[str, str]:
    """Each service's openapi.yaml text at `ref`; ApiDiffError if `ref` is no commit."""
    _git(root, "rev-parse", "--git-dir")  # not a repository: git says so, in one line
    if ref.startswith("-") or not _commit(root, ref):
        raise ApiDiffError(f"unknown git ref {ref[:80]!r}: name a branch, tag or commit")
    listing = _git(root, "ls-tree", "-r", "--name-only", ref, "--", "services")
    documents = {}
    for path in listing.splitlines():
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == DOCUMENT:
            documents[parts[1]] = _git(root, "show", f"{ref}:./{path}")
    return documents


def working_documents(root: Path) -> dict[str, str]:
    """Each service's openapi.yaml text in the working tree."""
    return {
        path.parent.name: path.read_text(encoding="utf-8")
        for path in sorted((root / "services").glob(f"*/{DOCUMENT}"))
    }


def breaking_changes(
    root: Path, before: dict[str, str], after: dict[str, str]
) -> list[BreakingChange]:
    """The breaking changes from `before` to `after` (service -> document text), per service."""
    node_tool(root, "openapi2postmanv2")  # any tool: says to run `invoke setup` if none is there
    found = []
    for service in sorted(before):
        if service not in after:
            found.append(BreakingChange(service, DOCUMENT, "removed: the whole API is gone"))
            continue
        changes = _compare(root, _parsed(service, "base", before[service]),
                           _parsed(service, "working tree", after[service]))  # fmt: skip
        seen = set()
        for change in changes:
            if change.get("type") != "breaking":
                continue
            item = BreakingChange(service, _where(change["path"]), _description(change))
            if str(item) not in seen:
                seen.add(str(item))
                found.append(item)
    return found


def _parsed(service: str, side: str, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise ApiDiffError(f"{service}: {DOCUMENT} of the {side} is not YAML{line}") from None


def _compare(root: Path, before: Any, after: Any) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="api-diff-") as scratch:
        paths = []
        for name, document in (("before", before), ("after", after)):
            path = Path(scratch) / f"{name}.json"
            # default=str: YAML dates in examples are no JSON values.
            path.write_text(json.dumps(document, default=str), encoding="utf-8")
            paths.append(str(path))
        result = subprocess.run(
            [node(), str(root / DIFF_SCRIPT), *paths],
            cwd=root, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
    if result.returncode != 0:
        last = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise ApiDiffError(f"{DIFF_SCRIPT} failed: {last[0][:300]}")
    changes: list[dict[str, Any]] = json.loads(result.stdout)
    return changes


def _where(path: list[str]) -> str:
    """`GET /notes` for a change inside an operation, the path or section otherwise."""
    if len(path) >= 3 and path[0] == "paths" and path[2] in _METHODS:
        return f"{path[2].upper()} {path[1]}"
    if len(path) >= 2 and path[0] == "paths":
        return path[1]
    return "/".join(path[:3]) or "document"


def _description(change: dict[str, Any]) -> str:
    text = " ".join(str(change.get("description", "")).split())
    if text and not text.startswith("in "):
        return text
    # api-smart-diff leaves some descriptions (or their start) empty: say what and where.
    path = change["path"]
    detail = "/".join(path[3:] if path[0] == "paths" else path[3:] or path)
    action = _ACTIONS.get(str(change.get("action")), "[Changed]")
    before, after = change.get("before"), change.get("after")
    values = f": {before!r} -> {after!r}" if before is not None and after is not None else ""
    return f"{action} {detail}{values}"


def _commit(root: Path, ref: str) -> bool:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", ref + "^{commit}"],
            cwd=root, capture_output=True, text=True, check=False,
        )  # fmt: skip
    except FileNotFoundError:
        raise ApiDiffError("git is not installed") from None
    return result.returncode == 0


def _git(root: Path, *arguments: str) -> str:
    try:
        result = subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True,
                                check=False)  # fmt: skip
    except FileNotFoundError:
        raise ApiDiffError("git is not installed") from None
    if result.returncode != 0:
        last = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise ApiDiffError(f"git {arguments[0]} failed: {last[0][:300]}")
    return result.stdout
