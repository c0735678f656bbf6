"""Running an exported collection with Newman (node_modules/) and reading what it found.

The token goes into a copy of the environment file (0600, in a folder the caller
owns and removes), never onto Newman's command line, where `ps` would show it.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .node_tools import node_tool
from .secret_files import write_private_file


@dataclass(frozen=True)
class NewmanRun:
    """What a run did: Newman's exit code, the status of each request (by its method and
    name, the operation's summary), each failed assertion (in full, and the names of
    their tests, sorted), and how many assertions were checked."""

    exit_code: int
    statuses: dict[str, int]
    failures: list[str]
    failed_tests: list[str]
    assertions: int
    output: str


def environment_with_token(environment: Path, token: str, folder: Path) -> Path:
    """A copy of the Postman environment in `folder` with bearerToken set (mode 0600)."""
    document = json.loads(environment.read_text(encoding="utf-8"))
    for value in document["values"]:
        if value["key"] == "bearerToken":
            value["value"] = token
    copy = folder / f"{environment.name.removesuffix('.json')}.with-token.json"
    write_private_file(copy, json.dumps(document))
    return copy


def run_newman(root: Path, collection: Path, environment: Path, folder: Path) -> NewmanRun:
    """Run the collection once against the environment's baseUrl; the report goes to `folder`."""
    report = folder / f"{collection.stem}.newman.json"
    result = subprocess.run(
        [str(node_tool(root, "newman")), "run", str(collection), "--environment",
         str(environment), "--reporters", "cli,json", "--reporter-json-export", str(report),
         "--timeout-request", "30000", "--color", "off", "--disable-unicode"],
        cwd=root, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if not report.is_file():
        raise RuntimeError(f"newman wrote no report (exit {result.returncode}): {result.stderr}")
    run: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))["run"]
    statuses = {
        f"{execution['request']['method']} {execution['item']['name']}": int(
            execution.get("response", {}).get("code", 0)
        )
        for execution in run["executions"]
    }
    failures = [
        f"{failure['source'].get('name', '?')}: {failure['error'].get('test', '')}: "
        f"{failure['error'].get('message', '')}"
        for failure in run["failures"]
    ]
    failed_tests = sorted(str(failure["error"].get("test", "")) for failure in run["failures"])
    assertions = int(run["stats"]["assertions"]["total"])
    return NewmanRun(result.returncode, statuses, failures, failed_tests, assertions, result.stdout)
