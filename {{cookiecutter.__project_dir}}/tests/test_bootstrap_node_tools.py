"""scripts/bootstrap installs the Node tools with `npm ci` when the lock changed, only then,
and says in one line what to do when npm is missing."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bootstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """scripts/bootstrap as a module, its ROOT a folder holding a copy of the npm files."""
    loader = importlib.machinery.SourceFileLoader(
        "bootstrap_script", str(ROOT / "scripts/bootstrap")
    )
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    return module


def _fake_npm(folder: Path) -> None:
    """An `npm` (first on PATH) that records its arguments in npm.log, makes node_modules/."""
    folder.mkdir()
    npm = folder / "npm"
    npm.write_text('#!/bin/sh\necho "$@" >> npm.log\nmkdir -p node_modules\n')
    npm.chmod(0o755)


def test_npm_ci_runs_once_per_lock(
    bootstrap: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_npm(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    bootstrap.node_tools()
    bootstrap.node_tools()  # nothing changed: no second install
    log = tmp_path / "npm.log"
    assert log.read_text().splitlines() == ["ci --no-audit --no-fund --loglevel=error"]
    lock = tmp_path / "package-lock.json"
    lock.write_text(lock.read_text().replace('"requires": true', '"requires": true '))
    bootstrap.node_tools()
    assert len(log.read_text().splitlines()) == 2


def test_without_npm_it_says_so_and_goes_on(
    bootstrap: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    bootstrap.node_tools()
    assert capsys.readouterr().out == (
        "bootstrap: npm not found: the API tools (invoke api.*) need Node.js 20+ and npm; "
        "install them and run ./scripts/bootstrap again\n"
    )
    assert not (tmp_path / "node_modules").exists()


def test_a_failed_install_stops_bootstrap(
    bootstrap: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "npm").write_text("#!/bin/sh\nexit 7\n")
    (folder / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    with pytest.raises(bootstrap.BootstrapError, match=r"exit 7"):
        bootstrap.node_tools()
    assert not (tmp_path / "node_modules" / ".bootstrap-lock-sha256").exists()
