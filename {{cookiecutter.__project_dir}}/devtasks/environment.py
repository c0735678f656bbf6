"""`invoke setup` and `invoke lock`: the project's virtual environment, reproducibly."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from pathlib import Path

from invoke import Context, task
from invoke.exceptions import Exit

from .layout import ROOT, RUNTIME_SHARED_PACKAGES, SERVICES, VENV, shared_packages, venv_bin

LOCK = "requirements/dev.lock"
LOCALSTACK_SOURCE = "requirements/localstack.in"
LOCALSTACK_LOCK = "requirements/localstack.lock"
LOCK_SOURCE = "requirements/dev.in"


@task(
    help={
        "python": "Interpreter to build .venv from (default: one found for project.python)",
        "recreate": "Delete .venv first and build it from scratch",
    }
)
def setup(c: Context, python: str = "", recreate: bool = False) -> None:
    """Create .venv with the locked tools, shared packages (editable) and services' requirements."""
    wanted = str(c.config.project.python)
    if recreate and VENV.exists():
        print(f"Removing {VENV.name}/")
        shutil.rmtree(VENV)
    if VENV.exists() and _venv_version(VENV) != wanted:
        print(f".venv has Python {_venv_version(VENV)}, the project wants {wanted}: rebuilding it")
        shutil.rmtree(VENV)
    if not VENV.exists():
        interpreter = python or find_python(wanted)
        print(f"Creating .venv with {interpreter}")
        c.run(f"{interpreter} -m venv .venv")
    uv = venv_bin("uv")
    if not (ROOT / uv).exists():
        pip = f"{venv_bin('python')} -m pip install --quiet --disable-pip-version-check"
        c.run(f"{pip} {_locked('uv')}")
    target = f"--python {venv_bin('python')}"
    c.run(f"{uv} pip sync --quiet {target} --require-hashes {LOCK}")
    editables = " ".join(f"-e shared/{name}" for name in shared_packages())
    c.run(f"{uv} pip install --quiet {target} --no-deps {editables}")
    for requirements in sorted(SERVICES.glob("*/requirements.txt")):
        if _has_requirements(requirements):
            c.run(f"{uv} pip install --quiet {target} -r {requirements.relative_to(ROOT)}")
    c.run(f"{uv} pip check {target}")
    print(
        f"Ready: .venv with Python {wanted}, shared packages "
        f"{', '.join(shared_packages())} (runtime: {', '.join(RUNTIME_SHARED_PACKAGES)})."
    )


@task(help={"upgrade": "Move every pin to the newest version the constraints allow"})
def lock(c: Context, upgrade: bool = False) -> None:
    """Compile dev.in and localstack.in of requirements/ into their hashed lock files."""
    uv = venv_bin("uv") if (ROOT / venv_bin("uv")).exists() else "uv"
    common = (
        f"{uv} pip compile --quiet --generate-hashes --custom-compile-command 'invoke lock' "
        f"{'--upgrade ' if upgrade else ''}"
    )
    oldest = str(c.config.project.python)
    c.run(f"{common}--universal --python-version {oldest} {LOCK_SOURCE} -o {LOCK}")
    # LocalStack's runtime has its own interpreter (>= 3.13); its dependencies do not
    # resolve for every platform at once, so this lock is for the platform that ran it.
    c.run(f"{common}--python-version 3.13 {LOCALSTACK_SOURCE} -o {LOCALSTACK_LOCK}")


def find_python(version: str) -> str:
    """Return an interpreter running Python `version` ("3.12"), or Exit naming what to install.

    Looks at `pythonX.Y` and `python3` on PATH, then at pyenv's installed versions,
    whose shims fail for versions that are installed but not selected.
    """
    candidates = [shutil.which(f"python{version}"), shutil.which("python3")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        installed = glob.glob(f"{root}/versions/{version}.*/bin/python{version}")
        newest_first: list[str] = sorted(installed, key=_version_key, reverse=True)
        candidates.extend(newest_first)
    for candidate in filter(None, candidates):
        if _runs_version(candidate, version):
            return candidate
    raise Exit(
        f"No Python {version} found (the Lambda runtime of this project). Install it "
        f"(pyenv install {version}, uv python install {version}, or your OS package) "
        f"or pass --python PATH.",
        code=1,
    )


def _runs_version(interpreter: str, version: str) -> bool:
    try:
        result = subprocess.run(
            [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"versions/(\d+)\.(\d+)\.(\d+)", path)
    return tuple(int(part) for part in match.groups()) if match else (0,)


def _venv_version(venv: Path) -> str:
    config = (venv / "pyvenv.cfg").read_text(encoding="utf-8") if venv.exists() else ""
    match = re.search(r"^version(?:_info)?\s*=\s*(\d+\.\d+)", config, re.MULTILINE)
    return match.group(1) if match else "unknown"


def _locked(name: str) -> str:
    match = re.search(rf"^{re.escape(name)}==\S+", (ROOT / LOCK).read_text(), re.MULTILINE)
    if not match:
        raise Exit(f"{name} is not pinned in {LOCK}", code=1)
    return match.group(0)


def _has_requirements(path: Path) -> bool:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return any(lines)
