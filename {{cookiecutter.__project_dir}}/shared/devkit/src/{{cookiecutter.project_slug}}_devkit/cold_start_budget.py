"""The project's cold-start budget (invoke.yaml `cold_start`), and the check of a service's imports.

Two rules keep issue 17 from coming back: a service's cold init (its `app` imported
and its composition root built) loads no module of `denied_modules`, and each
deployment zip stays within `zip_budget_bytes`. The tests apply them; `invoke package
--report` prints each zip against the budget.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

CONFIG_FILE = "invoke.yaml"
DEFAULT_ZIP_BUDGET = 1024 * 1024

# Run in a fresh interpreter: the app imported and its dependencies built, as Lambda's
# init does; prints every module loaded meanwhile.
_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app
composition = sys.modules.get("chalicelib.composition")
provider = getattr(composition, "dependencies", None)
if provider is not None:
    provider.get()
print(json.dumps(sorted(sys.modules)))
"""
# Settings the composition root needs to build; nothing is contacted while it does.
PROBE_SETTINGS = {
    "APP_STAGE": "dev",
    "APP_SERVICE": "probe",
    "APP_REGION": "us-east-1",
    "APP_TABLE_NAME": "probe",
    "APP_USER_POOL_ID": "us-east-1_probe",
    "APP_USER_POOL_CLIENT_IDS": "probe",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "probe",
    "AWS_SECRET_ACCESS_KEY": "probe",  # pragma: allowlist secret (a fake credential)
}


@dataclass(frozen=True)
class ColdStartBudget:
    """What every bundle is held to."""

    zip_budget_bytes: int = DEFAULT_ZIP_BUDGET
    denied_modules: tuple[str, ...] = ()

    def denied(self, modules: Iterable[str]) -> list[str]:
        """The modules of `modules` that are, or are inside, a denied package."""
        return sorted(
            name
            for name in modules
            if any(
                name == denied or name.startswith(denied + ".") for denied in self.denied_modules
            )
        )


def load_cold_start_budget(root: Path) -> ColdStartBudget:
    """The `cold_start` section of the project's invoke.yaml (defaults when there is none)."""
    config = yaml.safe_load((root / CONFIG_FILE).read_text(encoding="utf-8")) or {}
    section = config.get("cold_start") or {}
    if not isinstance(section, dict):
        raise ValueError(f"{CONFIG_FILE}: cold_start must be a mapping")
    budget = section.get("zip_budget_bytes", DEFAULT_ZIP_BUDGET)
    denied = section.get("denied_modules", [])
    if not isinstance(budget, int) or budget <= 0:
        raise ValueError(f"{CONFIG_FILE}: cold_start.zip_budget_bytes must be a positive integer")
    if not isinstance(denied, list) or not all(isinstance(name, str) for name in denied):
        raise ValueError(f"{CONFIG_FILE}: cold_start.denied_modules must be a list of modules")
    return ColdStartBudget(budget, tuple(denied))


def modules_loaded_at_init(
    service_dir: Path, python: Path | None = None, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Every module a fresh interpreter holds after the service's cold init."""
    env = {**(os.environ if environ is None else environ), **PROBE_SETTINGS}
    env.pop("APP_ENV_FILE", None)
    result = subprocess.run(
        [str(python or sys.executable), "-c", _PROBE, str(service_dir)],
        cwd=service_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{service_dir.name}: its cold init failed: {result.stderr.strip()}")
    loaded: list[str] = json.loads(result.stdout)
    return loaded
