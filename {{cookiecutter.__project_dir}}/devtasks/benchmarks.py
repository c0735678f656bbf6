"""`invoke bench.*`: measurements reported as ratios against a reference in the same run."""

from __future__ import annotations

from invoke import Collection, Context, task

from .local_cloud import project_config


@task(name="auth", help={"rounds": "Requests per route (default 2000)"})
def auth_cost(c: Context, rounds: int = 2000) -> None:
    """Time a token-guarded route against the same open route; print medians and the ratio."""
    # Imported here, not with the tasks: the token checks and Chalice's test client take
    # most of a second to import, which every other `invoke` command would pay.
    from {{ cookiecutter.project_slug }}_devkit import auth_benchmark

    print("\n".join(auth_benchmark.run(project_config(), int(rounds))))


ns = Collection("bench")
ns.add_task(auth_cost)
