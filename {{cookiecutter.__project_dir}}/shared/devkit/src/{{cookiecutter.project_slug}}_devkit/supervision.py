"""The dev server's child processes, restarted when they die.

One service's `chalice local` or stream delivery dying (a crash, an edit that breaks
the app, a kill) should not take every other service down: the child is reported
and started again after a backoff. A child that keeps dying (MAX_RESTARTS within
RESTART_WINDOW_SECONDS) is reported once more and left down, so a broken service
does not flood the terminal while the rest keep serving.

Each child runs in a process group of its own (`chalice local` is a reloader and a
worker): a death and a shutdown both clear the whole group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

RESTART_WINDOW_SECONDS = 60.0
MAX_RESTARTS = 5
FIRST_RESTART_DELAY_SECONDS = 0.5
MAX_RESTART_DELAY_SECONDS = 8.0


@dataclass(frozen=True)
class ChildSpec:
    """How to start one child: a name for the terminal, a command, where and with what."""

    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]

    def start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.command, cwd=self.cwd, env=self.env, start_new_session=True)


@dataclass
class Child:
    """A child and its history: the running process, when it last restarted, what is due."""

    spec: ChildSpec
    process: subprocess.Popen[bytes] | None = None
    restarts: deque[float] = field(default_factory=deque)
    restart_at: float | None = None
    given_up: bool = False


class Supervisor:
    """Starts children and, at each `check`, notices deaths and restarts what is due."""

    def __init__(
        self,
        specs: list[ChildSpec],
        report: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(spec) for spec in specs]
        self._report = report
        self._clock = clock

    def start_all(self) -> None:
        for child in self.children:
            child.process = child.spec.start()

    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The current process of every child (what a shutdown must stop)."""
        return [child.process for child in self.children if child.process is not None]

    def all_down(self) -> bool:
        return all(child.given_up for child in self.children)

    def check(self) -> None:
        """Report and clear every child that died since the last check; start due ones."""
        now = self._clock()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                self._died(child, child.process, now)
            if child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                child.process = child.spec.start()
                self._report(f"dev: restarted {child.spec.name}")

    def _died(self, child: Child, process: subprocess.Popen[bytes], now: float) -> None:
        # What the group still holds (the worker of `chalice local`, holding the port)
        # must go before a new one starts.
        signal_group(process, signal.SIGKILL)
        child.process = None
        while child.restarts and now - child.restarts[0] > RESTART_WINDOW_SECONDS:
            child.restarts.popleft()
        name, code = child.spec.name, process.returncode
        if len(child.restarts) >= MAX_RESTARTS:
            child.given_up = True
            self._report(
                f"dev: {name} exited with code {code}, {MAX_RESTARTS + 1} times within "
                f"{RESTART_WINDOW_SECONDS:.0f} s; leaving it down (the rest keep running)"
            )
            return
        delay = FIRST_RESTART_DELAY_SECONDS * 2 ** len(child.restarts)
        delay = min(MAX_RESTART_DELAY_SECONDS, delay)
        child.restarts.append(now)
        child.restart_at = now + delay
        self._report(f"dev: {name} exited with code {code}; restarting it in {delay:.1f} s")


def stop_process_groups(children: list[subprocess.Popen[bytes]], grace: float = 10.0) -> None:
    """SIGTERM every child's process group, then SIGKILL what is left after `grace` seconds."""
    for child in children:
        signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        # The worker of `chalice local` can outlive its reloader: clear the group.
        signal_group(child, signal.SIGKILL)
        child.wait()


def signal_group(child: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signum)
