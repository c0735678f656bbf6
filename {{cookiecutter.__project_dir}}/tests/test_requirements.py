"""What a service ships (requirements.txt) is what the tests ran with (requirements/dev.lock)."""

from __future__ import annotations

import re
from pathlib import Path

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _pins(path: Path) -> dict[str, str]:
    return {
        name.lower().replace("_", "-"): version for name, version in PIN.findall(path.read_text())
    }


def test_every_service_pins_the_versions_of_the_lock(project: ProjectConfig) -> None:
    locked = _pins(project.root / "requirements" / "dev.lock")
    for service in project.services:
        shipped = _pins(project.root / "services" / service / "requirements.txt")
        assert shipped, f"{service} pins nothing"
        different = {name: (version, locked.get(name)) for name, version in shipped.items()
                     if locked.get(name) != version}  # fmt: skip
        assert different == {}, f"{service}: (requirements.txt, dev.lock) differ: {different}"
