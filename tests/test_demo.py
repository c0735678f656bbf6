"""`invoke demo` headless, as the README's quick start runs it.

The demo generates the default project, sets it up and runs `invoke dev`, which starts
the local cloud. The test waits for the printed URLs, runs the printed token command,
calls a route with the token, then interrupts the demo and checks that nothing it
started is left: no process, no listening port, no local cloud state.

Interrupting: a terminal's Ctrl-C sends SIGINT to its foreground process group.
`invoke demo` hands its process over to `invoke dev` and that to the dev server
(exec), and the dev server starts every service, stream delivery and the local
cloud in process groups of their own. So once the URLs are printed the demo's
group holds the dev server alone, and SIGINT to the group leader is exactly what
Ctrl-C delivers. Signalling the leader only, not the group, also means nothing
else is stopped by the test's own signal: whatever stops, the dev server stopped,
and anything left in the group is a failure below.

Against the template's last commit: `invoke demo` generates with `cruft create`,
which clones the repository, so uncommitted template changes are not tested here.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVICES = 2  # the default answers' services: profiles, notes
READY_SECONDS = 180.0
STOP_SECONDS = 60.0
URL_LINE = re.compile(r"^  (\w+) +(http://127\.0\.0\.1:(\d+)/\w+)$")
TOKEN_LINE = re.compile(r'^    export TOKEN="\$\((.+)\)"$')

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slow-b")]


def free_port_run(count: int) -> list[int]:
    """`count` consecutive ports on 127.0.0.1 that could all be bound just now."""
    for _ in range(200):
        first = random.randrange(20000, 32000 - count)  # noqa: S311 (not cryptographic)
        try:
            with ExitStack() as stack:
                for port in range(first, first + count):
                    stack.enter_context(socket.socket()).bind(("127.0.0.1", port))
            return list(range(first, first + count))
        except OSError:
            continue
    raise RuntimeError(f"no run of {count} free ports")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def processes_naming(folder: Path) -> list[str]:
    """Command lines of running processes that name `folder` (its .venv's Python, chalice)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if state != "Z" and f"{folder}/" in command:
                found.append(f"{proc.name}: {command}")
    return found


def group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


class Output:
    """The demo's output, read line by line on a thread so its pipe never fills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, marker: str, seconds: float) -> list[str]:
        """Lines up to the first one that starts with `marker`; fails on exit or timeout."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"the demo exited early:\n{self.tail()}")
            self.lines.append(line)
            if line.startswith(marker):
                return self.lines
        pytest.fail(f"no {marker!r} line within {seconds:.0f} s:\n{self.tail()}")

    def rest(self, seconds: float) -> list[str]:
        """Every line up to the end of the output."""
        self._thread.join(seconds)
        while not self._queue.empty():
            line = self._queue.get()
            if line is not None:
                self.lines.append(line)
        return self.lines

    def tail(self) -> str:
        return "\n".join(self.lines[-60:])


@contextlib.contextmanager
def running_demo(
    output_dir: Path, first_port: int, cloud_port: int
) -> Iterator[tuple[subprocess.Popen[str], Output]]:
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    command = [str(BIN / "invoke"), "demo", "--output-dir", str(output_dir),
               "--first-port", str(first_port), "--cloud-port", str(cloud_port)]  # fmt: skip
    demo = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield demo, Output(demo)
    finally:
        # Only when the test failed half-way: leave nothing running.
        if demo.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(demo.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                demo.wait(timeout=STOP_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.pid, signal.SIGKILL)
        for line in processes_naming(output_dir):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            demo.wait(timeout=10)


def run_at_a_terminal(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a pasted command line with a terminal as its stdin, as in a developer's shell."""
    controller, terminal = pty.openpty()
    try:
        return subprocess.run(
            ["/bin/sh", "-c", command],  # the line the demo printed, as a shell reads it
            cwd=cwd,
            stdin=terminal,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(controller)


def test_the_demo_serves_signs_in_and_stops_cleanly(tmp_path: Path) -> None:
    *service_ports, cloud_port = free_port_run(SERVICES + 1)
    started = time.monotonic()
    with running_demo(tmp_path, service_ports[0], cloud_port) as (demo, output):
        lines = output.until("Serving.", READY_SECONDS)
        ready = time.monotonic() - started
        urls = {match[1]: match[2] for line in lines if (match := URL_LINE.match(line))}
        assert sorted(int(url.rsplit(":", 1)[1].split("/")[0]) for url in urls.values()) == (
            service_ports
        ), output.tail()
        token_commands = {match[1] for line in lines if (match := TOKEN_LINE.match(line))}
        assert len(token_commands) == 1, output.tail()
        (token_command,) = token_commands

        project = tmp_path / "acme_backend"
        assert (project / ".cruft.json").is_file()
        passwords_file = project / ".local-cloud" / "passwords.json"
        assert passwords_file.stat().st_mode & 0o777 == 0o600
        signed_in = run_at_a_terminal(token_command, project)
        assert signed_in.returncode == 0, signed_in.stderr
        token = signed_in.stdout.strip()
        assert token.count(".") == 2, "not a JWT"

        service, url = next(iter(urls.items()))
        headers = {"Authorization": f"Bearer {token}"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http, local)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local)
            assert 200 <= response.status < 300
            assert "items" in json.load(response)
        answered = time.monotonic() - started
        passwords = [
            password
            for users in json.loads(passwords_file.read_text()).values()
            for password in users.values()
        ]

        os.kill(demo.pid, signal.SIGINT)  # the group leader only: see the module docstring
        assert demo.wait(timeout=STOP_SECONDS) == 0, output.tail()
        everything = "\n".join(output.rest(10))

    print(f"first 2xx from {service} after {answered:.1f} s (URLs after {ready:.1f} s)")
    assert group_is_gone(demo.pid), "a process of the demo's group is still running"
    assert processes_naming(tmp_path) == []
    for port in (*service_ports, cloud_port):
        assert port_is_free(port), f"port {port} still answers"
    assert not (project / ".local-cloud" / "state.json").exists()
    assert not passwords_file.exists()
    assert "Stopped the local cloud" in everything
    for secret in (token, *passwords):
        assert secret not in everything
