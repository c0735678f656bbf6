"""`invoke test`: each service's tests in a pytest process of its own, the cross-service tests
in another; the suites run side by side, two per core."""

from __future__ import annotations

import os
import shlex
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from invoke import Context, Result, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import local_cloud_engine

from .layout import checked_services, require_venv, venv_bin
from .local_cloud import project_config, run_local

# pytest's exit code when a selection (-m, -k) leaves no test in a suite.
NO_TESTS_COLLECTED = 5
# State folder of the LocalStack that `test --engine localstack` runs beside your own.
TEST_CLOUD = ".local-cloud/test-run"
# `--fast`, the tier for every change: `slow` tests start servers or tools of their own,
# deploy, or wait on real time; `packaging` tests build deployment zips.
FAST = "not slow and not packaging"
# The slow tests are in tests/: a full run spreads that suite over pytest-xdist processes
# (one per core), a whole module to each, so no module fixture is built twice.
SPREAD = "-n auto --dist loadfile"


@task(
    name="test",
    help={
        "service": "Only this service's tests (default: every service, and tests/)",
        "marker": "pytest -m expression, e.g. 'not integration'",
        "keyword": "pytest -k expression",
        "fast": f"The quick tier, for every change: only -m '{FAST}'",
        "workers": "pytest-xdist processes per suite (default: none, except tests/ in a full "
        "run: one per core)",
        "engine": "moto: every test, each suite on its own moto; localstack: the integration "
        "tests on one LocalStack started for the run",
    },
)
def run_tests(
    c: Context, service: str = "", marker: str = "", keyword: str = "", fast: bool = False,
    workers: int = 0, engine: str = "moto",
) -> None:  # fmt: skip
    """Run the tests against a local cloud on 127.0.0.1; never against AWS."""
    require_venv()
    if engine not in ("moto", "localstack"):
        raise Exit(f"Unknown engine {engine!r}; the engines are: moto, localstack.", code=1)
    options = selection(marker, keyword, fast, integration_only=engine == "localstack")
    commands = _commands(service, options, workers, spread_tests=not fast)
    if engine == "localstack":
        project, cloud = project_config(), Path(TEST_CLOUD)
        # Port 0: free ones, beside the developer's own local cloud; no stage provisioned.
        run_local("up", lambda: local_cloud_engine.up(project, cloud, "localstack", "", 0, 0))
        state = f" --local-cloud-state {TEST_CLOUD}"
        try:
            _run_suites(c, {name: command + state for name, command in commands.items()})
        finally:
            run_local("down", lambda: local_cloud_engine.down(project, cloud))
    else:
        _run_suites(c, commands)


def selection(marker: str, keyword: str, fast: bool, integration_only: bool) -> str:
    """pytest's -m and -k options: the tier's, the engine's and the developer's, all at once."""
    parts = [
        *(["integration"] if integration_only else []),
        *([FAST] if fast else []),
        *([marker] if marker else []),
    ]
    options = ""
    if parts:
        expression = " and ".join(f"({part})" for part in parts) if len(parts) > 1 else parts[0]
        options += f" -m {shlex.quote(expression)}"
    if keyword:
        options += f" -k {shlex.quote(keyword)}"
    return options


def _commands(service: str, options: str, workers: int, spread_tests: bool) -> dict[str, str]:
    """The pytest command of each suite, by name; tests/ first, as it takes longest."""
    pytest = f"{venv_bin('python')} -m pytest{options}"
    each = f" -n {workers}" if workers else ""
    commands = {}
    if not service:
        commands["tests"] = f"{pytest}{each or (' ' + SPREAD if spread_tests else '')} tests"
    for name in checked_services(service):
        commands[name] = f"{pytest}{each} -o pythonpath=services/{name} services/{name}"
    return commands


def _run_suites(c: Context, commands: dict[str, str]) -> None:
    if len(commands) == 1:
        ((name, command),) = commands.items()
        print(f"== {name}")
        results = {name: c.run(command, echo=True, warn=True)}
    else:
        results = _side_by_side(c, commands)
    failed = [name for name in commands if results[name].exited not in (0, NO_TESTS_COLLECTED)]
    if failed:
        raise Exit(f"Tests failed in: {', '.join(failed)}.", code=1)


def _side_by_side(c: Context, commands: dict[str, str]) -> dict[str, Result]:
    """Run the suites two per core: each waits part of the time (on the local cloud, on
    processes it starts), so one per core leaves cores idle. Each suite's output is printed
    whole when it ends, so outputs never interleave."""
    jobs = min(len(commands), 2 * _cores())
    print(f"== {', '.join(commands)}: {jobs} at a time", flush=True)
    # pytest colours its output for a terminal only; these outputs reach one through us.
    env = {"PY_COLORS": "1"} if sys.stdout.isatty() else {}

    def run(command: str) -> tuple[Result, float]:
        started = time.monotonic()
        # in_stream=False: no suite reads the terminal, so none steals another's input.
        result = c.run(command, hide=True, warn=True, in_stream=False, env=env)
        return result, time.monotonic() - started

    results: dict[str, Result] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running = {pool.submit(run, command): name for name, command in commands.items()}
        for done in as_completed(running):
            name = running[done]
            result, seconds = done.result()
            verdict = "passed" if result.exited in (0, NO_TESTS_COLLECTED) else "FAILED"
            print(f"== {name}: {verdict} in {seconds:.0f} s\n{commands[name]}")
            print(result.stdout, end="")
            print(result.stderr, end="", file=sys.stderr, flush=True)
            results[name] = result
    return results


def _cores() -> int:
    """Cores this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
