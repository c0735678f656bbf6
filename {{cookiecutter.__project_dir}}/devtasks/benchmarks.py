"""`invoke bench.*`: measurements reported as ratios against a reference in the same run."""

from __future__ import annotations

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from .local_cloud import project_config


@task(name="auth", help={"rounds": "Requests per route (default 2000)"})
def auth_cost(c: Context, rounds: int = 2000) -> None:
    """Time a token-guarded route against the same open route; print medians and the ratio."""
    # Imported here, not with the tasks: the token checks and Chalice's test client take
    # most of a second to import, which every other `invoke` command would pay.
    from {{ cookiecutter.project_slug }}_devkit import auth_benchmark

    print("\n".join(auth_benchmark.run(project_config(), int(rounds))))


@task(name="data", help={"items": "Records written each round, each way (default 500)"})
def data_writes(c: Context, items: int = 500) -> None:
    """Write records one at a time and in batches on a local cloud; print rates and the ratio."""
    if int(items) < 1:
        raise Exit("--items must be at least 1", code=1)
    from {{ cookiecutter.project_slug }}_devkit import data_benchmark

    print("\n".join(data_benchmark.run(project_config().region, int(items))))


ns = Collection("bench")
ns.add_task(auth_cost)
ns.add_task(data_writes)
