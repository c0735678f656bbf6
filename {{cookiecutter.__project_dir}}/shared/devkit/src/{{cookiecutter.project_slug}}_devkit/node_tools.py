"""The project's Node tools (package.json: the Postman converter, Newman, Prism, the API diff).

`invoke setup` installs them into node_modules/ with `npm ci`, from package-lock.json;
they are run from there, never through npx, which would fetch whatever version it
finds and, once killed, leave its child (a Prism server) running.
"""

from __future__ import annotations

import shutil
from pathlib import Path


class NodeToolsMissing(Exception):
    """A Node tool or Node itself is not installed; the message says how to get it."""


def node_tool(root: Path, name: str) -> Path:
    """The command `name` of node_modules/.bin; NodeToolsMissing if it is not installed."""
    node()
    command = root / "node_modules" / ".bin" / name
    if not command.exists():
        raise NodeToolsMissing(
            f"{name} is not installed in node_modules/: run `invoke setup` (it runs npm ci)"
        )
    return command


def node() -> str:
    """The `node` command on PATH; NodeToolsMissing if there is none."""
    found = shutil.which("node")
    if not found:
        raise NodeToolsMissing("Node.js is not installed: the API tools need Node 20 or newer")
    return found
