"""`invoke test`: every service's tests in its own pytest process, then the cross-service tests."""

from __future__ import annotations

import shlex

from invoke import Context, task
from invoke.exceptions import Exit

from .layout import checked_services, require_venv, venv_bin

# pytest's exit code when a selection (-m, -k) leaves no test in a suite.
NO_TESTS_COLLECTED = 5


@task(
    name="test",
    help={
        "service": "Only this service's tests (default: every service, then tests/)",
        "marker": "pytest -m expression, e.g. 'not integration'",
        "keyword": "pytest -k expression",
        "workers": "Processes per suite through pytest-xdist (0: none)",
    },
)
def run_tests(
    c: Context, service: str = "", marker: str = "", keyword: str = "", workers: int = 0
) -> None:
    """Run the tests on the embedded local cloud (each suite starts its own, on 127.0.0.1)."""
    require_venv()
    options = ""
    if marker:
        options += f" -m {shlex.quote(marker)}"
    if keyword:
        options += f" -k {shlex.quote(keyword)}"
    if workers:
        options += f" -n {workers}"
    suites = [
        (name, f"-o pythonpath=services/{name} services/{name}")
        for name in checked_services(service)
    ]
    if not service:
        suites.append(("tests", "tests"))
    failed = []
    for name, target in suites:
        print(f"== {name}")
        result = c.run(f"{venv_bin('python')} -m pytest{options} {target}", echo=True, warn=True)
        if result.exited not in (0, NO_TESTS_COLLECTED):
            failed.append(name)
    if failed:
        raise Exit(f"Tests failed in: {', '.join(failed)}.", code=1)
