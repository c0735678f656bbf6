"""Each service's deployment zip carries the shared code it imports and runs on its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, load_project_config
from {{ cookiecutter.project_slug }}_devkit.bundle_slimming import UNSHIPPED
from {{ cookiecutter.project_slug }}_devkit.cold_start_budget import ColdStartBudget
from {{ cookiecutter.project_slug }}_devkit.package_report import (
    collect,
    format_report,
    lambda_like_python,
    reference_zip,
)

pytestmark = pytest.mark.packaging

SERVICES = load_project_config(Path(__file__).resolve().parents[1]).services
RUNTIME_PACKAGES = [
    "{{ cookiecutter.project_slug }}_auth",
    "{{ cookiecutter.project_slug }}_config",
    "{{ cookiecutter.project_slug }}_data",
    "{{ cookiecutter.project_slug }}_observability",
]


@pytest.fixture(scope="module")
def lambda_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter holding what the Lambda runtime adds to a bundle: boto3, nothing else."""
    return lambda_like_python(tmp_path_factory.mktemp("lambda-runtime"))


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


# What the SQL projection and the search adapter use of the libraries that packaging
# slims (bundle_slimming.UNSHIPPED): they must still import from the zip, as on Lambda.
_DATA_TIER_IMPORTS = """
import botocore.credentials
from sqlalchemy import create_engine, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
create_engine("postgresql+pg8000://app@proxy.example/app")
with create_engine("sqlite://").connect() as connection:
    assert connection.execute(text("select 1")).scalar() == 1
from {{ cookiecutter.project_slug }}_search.opensearch import opensearch_client
credentials = botocore.credentials.Credentials("id", "key")
opensearch_client("https://c.eu-west-1.aoss.amazonaws.com", "eu-west-1", "aoss", credentials)
print("ok")
"""


@pytest.mark.parametrize("service", SERVICES)
def test_the_slimmed_bundle_still_imports_the_sql_and_search_libraries(
    service: str, packaged: Path, lambda_python: Path, tmp_path: Path
) -> None:
    task_root = tmp_path / "var-task"
    with zipfile.ZipFile(packaged / service / "package" / "deployment.zip") as archive:
        names = archive.namelist()
        archive.extractall(task_root)
    assert not [name for name in names if name.startswith(tuple(UNSHIPPED))]
    assert "opensearchpy/__init__.py" in names  # a stage with search needs it
    script = f"import sys; sys.path.insert(0, {str(task_root)!r})\n{_DATA_TIER_IMPORTS}"
    result = subprocess.run(
        [str(lambda_python), "-I", "-c", script], cwd=tmp_path, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


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


def test_secrets_reach_the_functions_as_references_only(
    packaged: Path, package_secret_value: str
) -> None:
    # The values stay in Secrets Manager: CloudFormation resolves the references at deploy.
    for service in SERVICES:
        folder = packaged / service / "package"
        template = (folder / "sam.json").read_text()
        assert package_secret_value not in template
        function = json.loads(template)["Resources"]["APIHandler"]["Properties"]
        reference = function["Environment"]["Variables"]["PROBE_TOKEN"]
        assert reference.startswith("{" + "{resolve:secretsmanager:")
        with zipfile.ZipFile(folder / "deployment.zip") as archive:
            for name in archive.namelist():
                assert package_secret_value.encode() not in archive.read(name), name


def test_packaging_stops_when_the_secrets_cannot_be_fetched(
    tmp_path: Path, run_package: Callable[..., subprocess.CompletedProcess[str]], local_cloud: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    result = run_package(
        tmp_path, env={**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_port}"}
    )
    assert result.returncode != 0
    assert "cannot reach Secrets Manager" in result.stderr
    assert list(tmp_path.rglob("deployment.zip")) == []


def test_the_report_sets_each_bundle_beside_the_reference_app(
    packaged: Path, tmp_path: Path, project: ProjectConfig
) -> None:
    # Few rounds: this checks the report's shape; `invoke package --report` gives the figures.
    reference, bundles = collect(packaged, tmp_path, rounds=1)
    assert [figures.name for figures in bundles] == sorted(project.services)
    assert reference.zip_bytes > 0
    for figures in [reference, *bundles]:
        assert figures.init_seconds > 0
        assert figures.request_seconds > 0  # the request got its 200, or collect raised
    budget = ColdStartBudget(zip_budget_bytes=reference.zip_bytes)
    table = format_report(reference, bundles, budget)
    assert table[1].startswith("reference")
    assert [line.split()[0] for line in table[2 : 2 + len(bundles)]] == sorted(project.services)
    assert any("MB over budget" in line and "ms per MB" in line for line in table)


def test_the_reference_builds_the_dynamodb_client_every_service_builds(tmp_path: Path) -> None:
    with zipfile.ZipFile(reference_zip(tmp_path)) as archive:
        source = archive.read("app.py").decode()
    assert "Chalice(app_name=" in source
    assert 'boto3.client("dynamodb")' in source


def test_the_report_interpreter_holds_boto3_compiled_as_lambda_does(lambda_python: Path) -> None:
    # Otherwise every measured import of a service compiles boto3 (the bare app imports none).
    script = "import boto3, importlib.util; print(importlib.util.cache_from_source(boto3.__file__))"
    result = subprocess.run(
        [str(lambda_python), "-I", "-c", script], capture_output=True, text=True, check=True
    )
    assert Path(result.stdout.strip()).is_file()
