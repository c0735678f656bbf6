"""`invoke test`: every service's tests in its own pytest process, then the cross-service tests."""

from __future__ import annotations

import shlex

from invoke import Context, task
from invoke.exceptions import Exit

from .layout import checked_services, require_venv, run_devkit, venv_bin

# pytest's exit code when a selection (-m, -k) leaves no test in a suite.
NO_TESTS_COLLECTED = 5
# State folder of the LocalStack that `test --engine localstack` runs beside your own.
TEST_CLOUD = ".local-cloud/test-run"


@task(
    name="test",
    help={
        "service": "Only this service's tests (default: every service, then tests/)",
        "marker": "pytest -m expression, e.g. 'not integration'",
        "keyword": "pytest -k expression",
        "workers": "Processes per suite through pytest-xdist (0: none)",
        "engine": "moto: every test, each suite on its own moto; localstack: the integration "
        "tests on one LocalStack started for the run",
    },
)
def run_tests(
    c: Context, service: str = "", marker: str = "", keyword: str = "", workers: int = 0,
    engine: str = "moto",
) -> None:  # fmt: skip
    """Run the tests against a local cloud on 127.0.0.1; never against AWS."""
    require_venv()
    if engine not in ("moto", "localstack"):
        raise Exit(f"Unknown engine {engine!r}; the engines are: moto, localstack.", code=1)
    if engine == "localstack":
        marker = f"integration and ({marker})" if marker else "integration"
        run_devkit(
            c, "local_cloud_cli", f"up --engine localstack --port 0 --state-dir {TEST_CLOUD}"
        )
        try:
            _run_suites(c, service, marker, keyword, workers, f" --local-cloud-state {TEST_CLOUD}")
        finally:
            run_devkit(c, "local_cloud_cli", f"down --state-dir {TEST_CLOUD}")
    else:
        _run_suites(c, service, marker, keyword, workers, "")


def _run_suites(
    c: Context, service: str, marker: str, keyword: str, workers: int, options: str
) -> None:
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
