"""`invoke service.new`: a new service, made exactly as the template makes the first ones."""

from __future__ import annotations

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from .layout import ROOT, require_venv


@task(name="new", help={"name": "The service's name: a lower-case Python identifier"})
def new(c: Context, name: str) -> None:
    """Add a service: its app, tests, openapi.yaml, .chalice stages and its part of infra/."""
    require_venv()
    # The devkit lives in .venv, where tasks.py runs the tasks once it exists.
    from {{ cookiecutter.project_slug }}_devkit.service_generator import (
        ServiceError,
        add_service,
        record_in_answers,
    )

    try:
        written = add_service(ROOT, name)
    except ServiceError as error:
        raise Exit(f"service.new: {error}.", code=1) from None
    recorded = record_in_answers(ROOT, name)
    print(f"Added service {name}: {len(written)} files, including:")
    for path in (f"services/{name}/app.py", f"services/{name}/openapi.yaml", "infra/stage.yaml"):
        print(f"  {path}")
    if recorded:
        print(f"Recorded {name} in .cruft.json, so `cruft update` brings template changes to it.")
    print(f"Next: invoke lint && invoke test --service {name}")


ns = Collection("service")
ns.add_task(new)
