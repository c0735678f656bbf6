"""`invoke api.validators`: write each service's request validators from its openapi.yaml again.

The document is the contract; chalicelib/request_validators.py is compiled from it
(devkit validator_modules.py) and committed. `invoke lint` fails while one is stale.
"""

from __future__ import annotations

from invoke import Context, task
from invoke.exceptions import Exit

from .layout import ROOT, checked_services, require_venv


@task(
    name="validators",
    help={"service": "Only this service (default: every service and the devkit's skeleton)"},
)
def validators(c: Context, service: str = "") -> None:
    """Compile each openapi.yaml into its service's chalicelib/request_validators.py."""
    require_venv()
    names = checked_services(service) if service else None
    # The devkit lives in .venv, where tasks.py runs the tasks once it exists.
    from {{ cookiecutter.project_slug }}_devkit.openapi_schemas import UnsupportedSchema
    from {{ cookiecutter.project_slug }}_devkit.validator_modules import validator_modules

    for module in validator_modules(ROOT, names):
        shown = module.module.relative_to(ROOT)
        try:
            changed = module.write()
        except UnsupportedSchema as error:
            raise Exit(f"api.validators: {module.document}: {error}", code=1) from None
        print(f"{'wrote' if changed else 'up to date'}: {shown}")


def check_validators() -> None:
    """Exit naming each generated module that no longer matches its openapi.yaml (for lint)."""
    from {{ cookiecutter.project_slug }}_devkit.validator_modules import stale_modules

    stale = stale_modules(ROOT)
    if stale:
        raise Exit("\n".join(stale), code=1)
