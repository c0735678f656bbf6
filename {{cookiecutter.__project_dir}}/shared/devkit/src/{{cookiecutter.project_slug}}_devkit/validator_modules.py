"""Each service's generated request validators: written from its openapi.yaml, checked as fresh.

A service ships `chalicelib/request_validators.py`, compiled from the openapi.yaml
beside it by `openapi_validators.requests_source`. The file is committed (so a
deploy needs no generator and a cold start compiles nothing); `invoke lint` fails
while any of them differs from what its document gives now, and `invoke
api.validators` writes them again. The devkit's service skeleton has one too, so
`invoke service.new` and the template's hook, which copy the skeleton with its name
filled in, give a new service the file its document gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .openapi_validators import requests_source

MODULE = Path("chalicelib") / "request_validators.py"
DOCUMENT = "openapi.yaml"
REGENERATE = "invoke api.validators"
SKELETON = Path(__file__).resolve().parent / "skeleton" / "service"
HEADER = f'''"""Request validators of this service, generated from its {DOCUMENT}: do not edit.

`{REGENERATE}` writes this file again, and `invoke lint` fails while it differs from
what the document gives. chalicelib/contract.py runs these before each route's code.
Compiled by fastjsonschema ahead of time: a cold start reads and compiles no schema and
imports no package for it.
"""

# ruff: noqa
# fmt: off
# mypy: ignore-errors
'''


@dataclass(frozen=True)
class ValidatorModule:
    """One service folder (or the skeleton): its document and its generated module."""

    folder: Path

    @property
    def document(self) -> Path:
        """The service's openapi.yaml."""
        return self.folder / DOCUMENT

    @property
    def module(self) -> Path:
        """The generated chalicelib/request_validators.py."""
        return self.folder / MODULE

    def expected(self) -> str:
        """What the module must hold for the document as it is now."""
        document = yaml.safe_load(self.document.read_text(encoding="utf-8"))
        return requests_source(document, HEADER)

    def is_current(self) -> bool:
        """Whether the module exists and matches its document."""
        return self.module.is_file() and self.module.read_text(encoding="utf-8") == self.expected()

    def write(self) -> bool:
        """Write the module from its document (whole, or not at all); False if it was current."""
        expected = self.expected()
        if self.module.is_file() and self.module.read_text(encoding="utf-8") == expected:
            return False
        partial = self.module.with_name(f".{self.module.name}.partial")
        partial.write_text(expected, encoding="utf-8")
        partial.replace(self.module)
        return True


def validator_modules(root: Path, services: list[str] | None = None) -> list[ValidatorModule]:
    """The project's services (all, or those named) and, with all, the devkit's skeleton."""
    folders = sorted(path.parent for path in (root / "services").glob(f"*/{DOCUMENT}"))
    if services is not None:
        return [ValidatorModule(folder) for folder in folders if folder.name in services]
    return [ValidatorModule(folder) for folder in folders] + [ValidatorModule(SKELETON)]


def stale_modules(root: Path) -> list[str]:
    """One line per generated module that no longer matches its document; empty if none."""
    return [
        f"{_shown(item.module, root)} does not match {_shown(item.document, root)}: "
        f"run `{REGENERATE}`"
        for item in validator_modules(root)
        if not item.is_current()
    ]


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
