"""Where things are in the project, and the commands of its virtual environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from invoke.exceptions import Exit

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
SERVICES = ROOT / "services"
SHARED = ROOT / "shared"
BUILD = ROOT / "build"
# Source folders every linter looks at; services are type-checked one by one.
PYTHON_SOURCES = ("services", "shared", "devtasks", "tests", "tasks.py", "scripts/bootstrap")


def venv_bin(name: str) -> str:
    """Path of a command installed in .venv, relative to the project root (for c.run)."""
    folder = "Scripts" if sys.platform == "win32" else "bin"
    return str((VENV / folder / name).relative_to(ROOT))


def hand_over_to_venv() -> None:
    """Make sure the tasks run with .venv's Invoke: hand over to it, or say how to make it.

    Tasks call the devkit and the pinned tools, which live in .venv; a global `invoke`
    (pipx, uv tool) runs this command again with .venv's.
    """
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    venv_invoke = VENV / "bin" / "invoke"
    if venv_invoke.exists():
        os.execv(venv_invoke, [str(venv_invoke), *sys.argv[1:]])  # noqa: S606 (our own .venv)
    raise SystemExit("No .venv in the project yet: run ./scripts/bootstrap first.")


def require_venv() -> None:
    """Stop with one clear line when `invoke setup` has not been run yet."""
    if not (VENV / "pyvenv.cfg").is_file():
        raise Exit("No .venv in the project: run `invoke setup` first.", code=1)


def service_names() -> list[str]:
    """Every service: a folder of services/ with an app.py."""
    return sorted(path.parent.name for path in SERVICES.glob("*/app.py"))


def checked_services(name: str) -> list[str]:
    """`[name]` if it is a service, every service if `name` is empty; Exit otherwise."""
    services = service_names()
    if not name:
        return services
    if name not in services:
        raise Exit(f"Unknown service {name!r}; the services are: {', '.join(services)}.", code=1)
    return [name]
