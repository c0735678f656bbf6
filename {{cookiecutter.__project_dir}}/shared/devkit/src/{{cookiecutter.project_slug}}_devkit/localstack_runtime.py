"""Where LocalStack comes from: its Docker image through the `localstack` CLI, or its
open-source runtime on the host, in a virtual environment of its own.

The runtime needs Python >= 3.13, which is rarely the project's own Python, and
pins of its own (requirements/localstack.lock, hashes checked): it never shares
.venv with the services.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

MINIMUM_PYTHON = (3, 13)
LOCK_FILE = "requirements/localstack.lock"
VENV_DIR = ".local-cloud/localstack-venv"
# The last image that starts without an account (`latest` wants LOCALSTACK_AUTH_TOKEN).
DOCKER_IMAGE = "localstack/localstack:4.14.0"
_STAMP = ".lock-sha256"


class RuntimeNotFound(Exception):
    """No way to run LocalStack here; the message says what to install."""


def _version_of(interpreter: str) -> tuple[int, int] | None:
    try:
        result = subprocess.run(
            [interpreter, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None  # e.g. a pyenv shim of a version that is not active
    major, minor = result.stdout.split()
    return int(major), int(minor)


def _candidates() -> Iterator[str]:
    for minor in range(20, MINIMUM_PYTHON[1] - 1, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            yield found
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions = sorted(
        Path(pyenv_root, "versions").glob("3.*/bin/python3"),
        key=lambda path: [int(p) if p.isdigit() else 0 for p in path.parts[-3].split(".")],
        reverse=True,
    )
    yield from (str(path) for path in versions)
    yield sys.executable


def find_python(explicit: str = "") -> tuple[str, tuple[int, int]]:
    """An interpreter of Python >= 3.13: `explicit`, else from PATH, else pyenv's versions.

    Raises RuntimeNotFound naming what to install when there is none.
    """
    wanted = ".".join(map(str, MINIMUM_PYTHON))
    for interpreter in [explicit] if explicit else _candidates():
        version = _version_of(interpreter)
        if version and version >= MINIMUM_PYTHON:
            return interpreter, version
    if explicit:
        raise RuntimeNotFound(f"{explicit} is not a Python >= {wanted}")
    raise RuntimeNotFound(
        f"LocalStack needs Python >= {wanted} and none was found on PATH or in pyenv: "
        f"install one (`uv python install {wanted}`, `pyenv install {wanted}` or your OS "
        f"package) or pass --python"
    )


def venv_python(root: Path) -> Path:
    """The interpreter of LocalStack's own virtual environment."""
    return root / VENV_DIR / "bin" / "python"


def ensure_venv(root: Path, python: str, uv: str, say: Callable[[str], None] = print) -> Path:
    """Build LocalStack's virtual environment from the lock unless it is current.

    A lock file serialises concurrent builds (parallel test workers); a stamp of
    the lock's hash makes a changed lock rebuild it.
    """
    lock = root / LOCK_FILE
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    venv = root / VENV_DIR
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / "localstack-venv.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        stamp = venv / _STAMP
        if stamp.is_file() and stamp.read_text() == digest:
            return venv_python(root)
        say(f"Building LocalStack's environment in {VENV_DIR} with {python} (once; about 15 s)")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
        installed = subprocess.run(
            [uv, "pip", "sync", "--quiet", "--python", str(venv_python(root)),
             "--require-hashes", str(lock)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if installed.returncode != 0:
            last = (installed.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeNotFound(f"installing {LOCK_FILE} failed: {last}")
        stamp.write_text(digest)
    return venv_python(root)


# What LocalStack's processes may see of the developer's environment: never their
# AWS credentials or profile, but their LocalStack auth token if they have one.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "TMPDIR", "LOCALSTACK_AUTH_TOKEN", "DOCKER_HOST")


def engine_environment(port: int, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for LocalStack on 127.0.0.1:`port` (host runtime or `localstack` CLI)."""
    source = os.environ if base is None else base
    env = {name: source[name] for name in PASSED_THROUGH if name in source}
    env["GATEWAY_LISTEN"] = f"127.0.0.1:{port}"
    return env


def docker_environment(
    port: int, container: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What `localstack start` needs to run the pinned image as `container` on `port`."""
    return {
        **engine_environment(port, base),
        "IMAGE_NAME": DOCKER_IMAGE,
        "MAIN_CONTAINER_NAME": container,
    }


def docker_answers() -> bool:
    """True if a Docker engine answers `docker info` within a few seconds."""
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
