"""What runs as the project's local cloud: recorded by `local.up` in .local-cloud/state.json.

Tasks, the dev server and test sessions read it to find the endpoints, and stop
with one clear line when nothing runs, rather than fall through to AWS.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .local_cloud import LocalEndpoints
from .secret_files import write_private_file

STATE_FILE = "state.json"
# The made-up passwords of the seeded users, by stage and user name (mode 0600), so
# `invoke auth.token` can sign them in without asking. Gone with the local cloud.
PASSWORDS_FILE = "passwords.json"  # pragma: allowlist secret (a file name)
NOT_RUNNING = "the local cloud is not running: start it with `invoke local.up`"


class LocalCloudNotRunning(Exception):
    """No local cloud answers; the message says how to start one."""


@dataclass(frozen=True)
class Process:
    """One process of the local cloud (its own process group) and the port it serves."""

    name: str
    pid: int
    port: int
    health_path: str


@dataclass(frozen=True)
class LocalCloudState:
    """The running engine, its processes, and which endpoint serves which AWS service."""

    engine: str
    mode: str
    endpoint: str
    service_endpoints: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    container: str = ""

    @property
    def endpoints(self) -> LocalEndpoints:
        """The endpoints to hand to boto3."""
        return LocalEndpoints(self.endpoint, dict(self.service_endpoints))

    def write(self, state_dir: Path) -> None:
        """Record this state (the file is replaced in one step)."""
        state_dir.mkdir(parents=True, exist_ok=True)
        partial = state_dir / f".{STATE_FILE}.tmp"
        partial.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        partial.replace(state_dir / STATE_FILE)


def read_state(state_dir: Path) -> LocalCloudState | None:
    """The recorded state, or None when none is recorded or one of its processes is gone."""
    path = state_dir / STATE_FILE
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    state = LocalCloudState(
        **{key: value for key, value in raw.items() if key != "processes"},
        processes=[Process(**process) for process in raw.get("processes", [])],
    )
    for process in state.processes:
        try:
            os.kill(process.pid, 0)
        except ProcessLookupError:
            return None
    return state


def record_passwords(state_dir: Path, stage: str, passwords: dict[str, str]) -> None:
    """Add the users' passwords of `stage` to the state folder's password file (0600, atomic)."""
    if not passwords:
        return
    recorded = _recorded(state_dir)
    recorded.setdefault(stage, {}).update(passwords)
    state_dir.mkdir(parents=True, exist_ok=True)
    write_private_file(state_dir / PASSWORDS_FILE, json.dumps(recorded, indent=2))


def recorded_password(state_dir: Path, stage: str, user: str) -> str | None:
    """The password `local.up` made up for a seeded user of `stage`, or None."""
    return _recorded(state_dir).get(stage, {}).get(user)


def forget_passwords(state_dir: Path) -> None:
    """Remove the password file (the users it names went with the local cloud)."""
    (state_dir / PASSWORDS_FILE).unlink(missing_ok=True)


def _recorded(state_dir: Path) -> dict[str, dict[str, str]]:
    path = state_dir / PASSWORDS_FILE
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(stage): {str(user): str(password) for user, password in users.items()}
        for stage, users in raw.items()
    }


def answers(url: str) -> bool:
    """True if an HTTP GET of `url` gets any response within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (a local URL we built)
            return True
    except OSError:
        return False


def require_running(state_dir: Path) -> LocalCloudState:
    """The running local cloud; LocalCloudNotRunning if none is recorded or it does not answer."""
    state = read_state(state_dir)
    if state is None:
        raise LocalCloudNotRunning(NOT_RUNNING)
    for process in state.processes:
        url = f"http://127.0.0.1:{process.port}{process.health_path}"
        if not answers(url):
            raise LocalCloudNotRunning(f"{process.name} does not answer at {url}; {NOT_RUNNING}")
    return state
