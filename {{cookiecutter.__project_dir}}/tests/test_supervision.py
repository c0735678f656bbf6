"""The dev server's children: one that dies is reported and restarted with a backoff, and
one that keeps dying is left down while the others run."""

from __future__ import annotations

import sys
from pathlib import Path

from {{ cookiecutter.project_slug }}_devkit.supervision import (
    MAX_RESTARTS,
    Child,
    ChildSpec,
    Supervisor,
    stop_process_groups,
)


class Clock:
    """A clock the test moves: restarts are due by it, never by real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _spec(name: str, code: str, tmp_path: Path) -> ChildSpec:
    return ChildSpec(name, [sys.executable, "-c", code], tmp_path, {})


def _wait_for_exit(child: Child) -> None:
    assert child.process is not None
    child.process.wait()


def _running(child: Child) -> bool:
    return child.process is not None and child.process.poll() is None


def test_a_child_that_exits_is_reported_restarted_and_finally_left_down(tmp_path: Path) -> None:
    clock, lines = Clock(), list[str]()
    crashing = _spec("crashing", "raise SystemExit(3)", tmp_path)
    steady = _spec("steady", "import time; time.sleep(600)", tmp_path)
    supervisor = Supervisor([crashing, steady], report=lines.append, clock=clock)
    supervisor.start_all()
    first, second = supervisor.children
    try:
        delays: list[float] = []
        for _ in range(MAX_RESTARTS):
            _wait_for_exit(first)
            supervisor.check()  # notices the exit, schedules the restart
            assert first.restart_at is not None
            delays.append(first.restart_at - clock.now)
            clock.now = first.restart_at
            supervisor.check()  # starts it again
            assert first.restart_at is None
        assert delays == [0.5, 1.0, 2.0, 4.0, 8.0]
        assert lines[:2] == [
            "dev: crashing exited with code 3; restarting it in 0.5 s",
            "dev: restarted crashing",
        ]
        _wait_for_exit(first)
        supervisor.check()
        assert lines[-1] == (
            f"dev: crashing exited with code 3, {MAX_RESTARTS + 1} times within 60 s; "
            "leaving it down (the rest keep running)"
        )
        assert first.given_up
        assert first.process is None
        assert _running(second)
        assert not supervisor.all_down()
    finally:
        stop_process_groups(supervisor.processes())
    assert not _running(second)


def test_restarts_older_than_the_window_do_not_count(tmp_path: Path) -> None:
    clock, lines = Clock(), list[str]()
    supervisor = Supervisor([_spec("flaky", "pass", tmp_path)], report=lines.append, clock=clock)
    supervisor.start_all()
    (child,) = supervisor.children
    for _ in range(MAX_RESTARTS * 2):
        _wait_for_exit(child)
        supervisor.check()
        clock.now += 61  # a minute apart: never too many at once
        supervisor.check()
    assert not child.given_up
    assert all(line.endswith("restarting it in 0.5 s") for line in lines[::2])
    stop_process_groups(supervisor.processes())
