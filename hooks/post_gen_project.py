"""Finish the generated project: add each service the answers name.

Runs inside the new project folder, where the project's own service generator now
exists (shared/devkit/.../service_generator.py): the hook loads it by path and calls
the same `add_service` that `invoke service.new` calls, so a service added later is
made exactly as these are. A bad service name prints one line and exits 1;
cookiecutter then removes the project folder.

The hook never writes `.cruft.json`: cruft writes its own after generating, and a
hook that rewrote it would make every `cruft update` patch fail.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

RENDERED_ANSWERS = r"""{{ cookiecutter | jsonify }}"""


def split_list(raw: str) -> list[str]:
    """`"a, b"` -> `["a", "b"]`; an empty or blank string gives `[]`."""
    return [part.strip() for part in raw.split(",")] if raw.strip() else []


def load_generator(project: Path, slug: str) -> ModuleType:
    """Import the project's service_generator.py by path (the project is not installed yet)."""
    path = project / "shared" / "devkit" / "src" / f"{slug}_devkit" / "service_generator.py"
    spec = importlib.util.spec_from_file_location(f"{slug}_service_generator", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def add_services(project: Path, answers: dict[str, Any]) -> list[str]:
    """Add every service of the answers; return the problems instead when a name is bad."""
    generator = load_generator(project, str(answers["project_slug"]))
    services = split_list(str(answers["services"]))
    facts = generator.ProjectFacts.read(project)
    problems: list[str] = generator.answer_problems(services, facts)
    if problems:
        return problems
    for service in services:
        generator.add_service(project, service)
    return []


def main() -> int:
    problems = add_services(Path.cwd(), json.loads(RENDERED_ANSWERS))
    if problems:
        print(f"ERROR: {'; '.join(problems)}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
