"""Each service's deployment zip carries the shared code it imports and runs on its own."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config

pytestmark = pytest.mark.packaging

SERVICES = load_project_config(Path(__file__).resolve().parents[1]).services
RUNTIME_PACKAGES = [
    "{{ cookiecutter.project_slug }}_auth",
    "{{ cookiecutter.project_slug }}_config",
    "{{ cookiecutter.project_slug }}_data",
]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory, project: ProjectConfig) -> Path:
    """Every service packaged for the first stage, through the same task developers run."""
    out = tmp_path_factory.mktemp("build")
    stage = next(iter(project.stages))
    subprocess.run(
        [str(BIN / "invoke"), "package", "--stage", stage, "--output-dir", str(out)],
        cwd=project.root,
        check=True,
    )
    return out / stage


@pytest.fixture(scope="module")
def lambda_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter holding what the Lambda runtime adds to a bundle: boto3, nothing else."""
    venv = tmp_path_factory.mktemp("lambda-runtime")
    uv = str(BIN / "uv")
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), f"boto3=={version('boto3')}"],
        check=True,
    )
    return python


@pytest.mark.parametrize("service", SERVICES)
def test_bundle_imports_in_a_clean_interpreter(
    service: str, packaged: Path, lambda_python: Path, tmp_path: Path, project: ProjectConfig
) -> None:
    task_root = tmp_path / "var-task"
    with zipfile.ZipFile(packaged / service / "package" / "deployment.zip") as archive:
        archive.extractall(task_root)
    # What Lambda does: the unzipped bundle first on sys.path, then the runtime.
    script = (
        f"import sys; sys.path.insert(0, {str(task_root)!r}); "
        f"import app, {', '.join(RUNTIME_PACKAGES)}; "
        "print(app.app.app_name, app.__file__)"
    )
    result = subprocess.run(
        [str(lambda_python), "-I", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    app_name, app_file = result.stdout.split()
    assert app_name == f"{project.prefix}-{service}"
    assert Path(app_file).parent == task_root


@pytest.mark.parametrize("service", SERVICES)
def test_bundle_holds_runtime_code_only(service: str, packaged: Path) -> None:
    with zipfile.ZipFile(packaged / service / "package" / "deployment.zip") as archive:
        names = archive.namelist()
    assert "app.py" in names
    assert "chalicelib/composition.py" in names
    for package in RUNTIME_PACKAGES:
        assert f"{package}/__init__.py" in names
    unwanted = [
        name
        for name in names
        if name.startswith(("tests/", ".chalice/")) or "devkit" in name or ".env" in name
    ]
    assert unwanted == []


def test_every_service_gets_its_own_api(packaged: Path, project: ProjectConfig) -> None:
    titles = []
    for service in SERVICES:
        template = json.loads((packaged / service / "package" / "sam.json").read_text())
        api = template["Resources"]["RestAPI"]
        titles.append(api["Properties"]["DefinitionBody"]["info"]["title"])
    assert titles == [f"{project.prefix}-{service}" for service in SERVICES]
