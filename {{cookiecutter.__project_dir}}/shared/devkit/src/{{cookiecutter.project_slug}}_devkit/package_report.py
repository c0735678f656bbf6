"""Size and cold start of each deployment zip, beside a bare `chalice new-project` app.

`invoke package --report` calls it after packaging. The bare app is created
and packaged the same way in the same run, and every bundle's handler module is
imported cold, several times, in an interpreter that holds only boto3 (what the
Lambda runtime adds). Numbers are medians, reported with their ratio to the bare
app, never judged.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

IMPORT_ROUNDS = 7
_TIMER = (
    "import time; started = time.perf_counter(); import app; "
    "print(time.perf_counter() - started)"
)


@dataclass(frozen=True)
class BundleFigures:
    """One bundle's zip size in bytes and median cold import of `app` in seconds."""

    name: str
    zip_bytes: int
    import_seconds: float


def lambda_like_python(folder: Path) -> Path:
    """A virtual environment in `folder` with boto3 (this project's version) and nothing else.

    boto3 is compiled to bytecode, as the Lambda runtime ships it: compiling it on
    every measured import would charge the services (not the bare app, which does
    not import boto3) about half a second that Lambda never spends.
    """
    python = folder / "bin" / "python"
    uv = str(Path(sys.executable).with_name("uv"))
    if not python.exists():
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    boto3 = f"boto3=={importlib.metadata.version('boto3')}"
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python), boto3],
        check=True,
    )
    return python


def bare_chalice_zip(folder: Path) -> Path:
    """`chalice new-project bare` packaged as Chalice packages it: the reference bundle."""
    chalice = str(Path(sys.executable).with_name("chalice"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    subprocess.run([chalice, "new-project", "bare"], cwd=folder, check=True, capture_output=True)
    subprocess.run(
        [chalice, "package", "out"], cwd=folder / "bare", check=True, capture_output=True
    )
    return folder / "bare" / "out" / "deployment.zip"


def measure(name: str, archive: Path, python: Path) -> BundleFigures:
    """Unzip `archive` and time a cold `import app` IMPORT_ROUNDS times in `python`."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as unpacked:
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(unpacked)
        timings = []
        for _ in range(IMPORT_ROUNDS):
            result = subprocess.run(
                [str(python), "-B", "-c", _TIMER],
                cwd=unpacked,
                capture_output=True,
                text=True,
                check=True,
                env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
            )
            timings.append(float(result.stdout.strip()))
    return BundleFigures(name, archive.stat().st_size, statistics.median(timings))


def collect(stage_dir: Path, scratch: Path) -> tuple[BundleFigures, list[BundleFigures]]:
    """Figures of the bare reference app and of each service packaged under `stage_dir`."""
    services = sorted(path.parents[1].name for path in stage_dir.glob("*/package/deployment.zip"))
    if not services:
        raise FileNotFoundError(f"no */package/deployment.zip under {stage_dir}")
    python = lambda_like_python(scratch / "lambda-python")
    bare = measure("bare chalice app", bare_chalice_zip(scratch / "bare"), python)
    return bare, [
        measure(name, stage_dir / name / "package" / "deployment.zip", python) for name in services
    ]


def format_report(bare: BundleFigures, bundles: list[BundleFigures]) -> list[str]:
    """A table: each bundle's zip bytes and import milliseconds, and their ratios to `bare`."""
    lines = [f"{'bundle':<20} {'zip bytes':>12} {'x bare':>8} {'import ms':>10} {'x bare':>8}"]
    for figures in [bare, *bundles]:
        lines.append(
            f"{figures.name:<20} {figures.zip_bytes:>12,} "
            f"{figures.zip_bytes / bare.zip_bytes:>8.2f} {figures.import_seconds * 1000:>10.1f} "
            f"{figures.import_seconds / bare.import_seconds:>8.2f}"
        )
    return lines
