"""`invoke hooks.install`: a clean commit passes the hooks; a credential cannot be committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

# Copies the project and runs every tool of the commit hook on it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", ".git", "build", "*_cache", "__pycache__", ".env.*")
# A made-up key in the shape of a real one; the scanner must refuse it.
FAKE_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ" + "X9LZEXAMPLEKEY"  # pragma: allowlist secret
GIT = ["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git copy of this project, sharing its .venv, with the hooks installed."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the hooks")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=SKIP)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    assert run(["git", "init", "--quiet"], repo).returncode == 0
    installed = run([".venv/bin/invoke", "hooks.install"], repo)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()
    assert (repo / ".git" / "hooks" / "pre-push").is_file()
    return repo


def test_a_clean_commit_passes_and_a_credential_is_refused(repository: Path) -> None:
    run(["git", "add", "-A"], repository)
    first = run([*GIT, "commit", "--quiet", "-m", "initial"], repository)
    assert first.returncode == 0, first.stdout + first.stderr

    leak = repository / "services" / "leak.py"
    leak.write_text(f'AWS_SECRET_ACCESS_KEY = "{FAKE_KEY}"\n')
    run(["git", "add", str(leak)], repository)
    second = run([*GIT, "commit", "--quiet", "-m", "leak"], repository)

    output = second.stdout + second.stderr
    assert second.returncode != 0
    assert "services/leak.py" in output
    assert FAKE_KEY not in output
    assert run(["git", "rev-list", "--count", "HEAD"], repository).stdout.strip() == "1"
