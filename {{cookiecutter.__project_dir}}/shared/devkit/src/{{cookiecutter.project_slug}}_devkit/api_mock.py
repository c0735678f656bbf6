"""A mock of each service from its openapi.yaml alone: Prism (node_modules/), one port each.

Prism answers a valid request with the document's example (or one made from the
schema) and refuses an invalid one with the 4xx the document gives it (401 without a
token, 400/422 for bad input, 404 for an unknown path), so a frontend can be built
against a route before it exists. Each Prism runs in a process group of its own and
is stopped with it: a killed wrapper would leave its server running.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .node_tools import node_tool
from .ports import port_is_free
from .supervision import stop_process_groups

READY_TIMEOUT_SECONDS = 60.0


class MockError(Exception):
    """A mock could not start; the message says which and why."""


@dataclass(frozen=True)
class Mock:
    """A running mock: where it answers, its process, its log, how long it took to answer."""

    service: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    start_seconds: float


def mock_ports(services: list[str], first_port: int) -> dict[str, int]:
    """One port per service of the project, numbered up from `first_port` in the order of
    `services` (all of them), so a service keeps its port when mocked alone."""
    return {service: first_port + index for index, service in enumerate(services)}


def start_mocks(
    root: Path, ports: dict[str, int], host: str, log_dir: Path,
    timeout: float = READY_TIMEOUT_SECONDS,
) -> list[Mock]:  # fmt: skip
    """Start a Prism mock per service of `ports` and return once each answers; MockError if a
    port is taken or a mock stops or stays silent (the others are stopped then)."""
    prism = node_tool(root, "prism")
    for service, port in ports.items():
        if not port_is_free(port, host):
            raise MockError(f"port {port} on {host} (for {service}) is in use; choose other ports")
    log_dir.mkdir(parents=True, exist_ok=True)
    started: list[tuple[str, int, subprocess.Popen[bytes], Path, float]] = []
    try:
        for service, port in ports.items():
            log = log_dir / f"{service}.log"
            document = root / "services" / service / "openapi.yaml"
            command = [str(prism), "mock", "--host", host, "--port", str(port), str(document)]
            with log.open("wb") as output:
                process = subprocess.Popen(
                    command, cwd=root, stdout=output, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip
            started.append((service, port, process, log, time.monotonic()))
        mocks = []
        for service, port, process, log, began in started:
            _wait_until_listening(service, host, port, process, log, began + timeout)
            seconds = time.monotonic() - began
            mocks.append(Mock(service, f"http://{host}:{port}", process, log, seconds))
        return mocks
    except BaseException:
        stop_process_groups([process for _, _, process, _, _ in started], grace=5.0)
        raise


def _wait_until_listening(
    service: str, host: str, port: int, process: subprocess.Popen[bytes], log: Path,
    deadline: float,
) -> None:  # fmt: skip
    while port_is_free(port, host):
        if process.poll() is not None:
            raise MockError(
                f"the mock of {service} exited with code {process.returncode}: {_last_line(log)}"
            )
        if time.monotonic() > deadline:
            raise MockError(f"the mock of {service} did not answer on {host}:{port} ({log})")
        time.sleep(0.05)


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else "no output"


def serve_mocks(
    root: Path, ports: dict[str, int], host: str, log_dir: Path,
    report: Callable[[str], object] = print,
) -> int:  # fmt: skip
    """Start the mocks, print where each answers and how long it took to start, and serve
    until Ctrl-C (KeyboardInterrupt: exit code 0) or until a mock stops (1)."""
    mocks = start_mocks(root, ports, host, log_dir)
    try:
        width = max(len(mock.service) for mock in mocks) + 2
        for mock in mocks:
            log = mock.log.relative_to(root) if mock.log.is_relative_to(root) else mock.log
            report(f"  {mock.service:<{width}}{mock.url}  (Prism, ready in "
                   f"{mock.start_seconds:.1f} s; log {log})")  # fmt: skip
        report("Mocks from openapi.yaml: examples for valid requests, 4xx for invalid ones "
               "(send `Authorization: Bearer anything`). Ctrl-C stops them.")  # fmt: skip
        while True:
            for mock in mocks:
                if mock.process.poll() is not None:
                    report(f"The mock of {mock.service} exited with code "
                           f"{mock.process.returncode}: {_last_line(mock.log)}")  # fmt: skip
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_process_groups([mock.process for mock in mocks], grace=5.0)
        report(f"Stopped the mocks of {', '.join(mock.service for mock in mocks)}.")
