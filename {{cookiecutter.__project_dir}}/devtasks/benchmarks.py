"""`invoke bench.*`: measurements reported as ratios against a reference in the same run."""

from __future__ import annotations

from invoke import Collection, Context, task

from .layout import run_devkit


@task(name="auth", help={"rounds": "Requests per route (default 2000)"})
def auth_cost(c: Context, rounds: int = 2000) -> None:
    """Time a token-guarded route against the same open route; print medians and the ratio."""
    run_devkit(c, "auth_benchmark", f"--rounds {int(rounds)}")


ns = Collection("bench")
ns.add_task(auth_cost)
