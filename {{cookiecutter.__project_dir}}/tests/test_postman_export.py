"""`invoke api.postman`: a Postman collection per service with a test on every request, an
environment per stage, and Newman running them against `invoke dev` without a failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, auth_users, local_cloud_engine
from {{ cookiecutter.project_slug }}_devkit.newman_runs import environment_with_token, run_newman
from {{ cookiecutter.project_slug }}_devkit.openapi_schemas import components
from {{ cookiecutter.project_slug }}_devkit.ports import free_port_run
from {{ cookiecutter.project_slug }}_devkit.postman_export import add_tests, convert, json_schema, requests
from {{ cookiecutter.project_slug }}_devkit.service_urls import ServiceNotDeployed, deployed_urls
from {{ cookiecutter.project_slug }}_devkit.stage_resources import ClientFactory

from devtasks import api, local_cloud

ROOT = Path(__file__).resolve().parents[1]
INVOKE = Path(sys.executable).with_name("invoke")
COLLECTION_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _document(service: str) -> dict[str, Any]:
    from {{ cookiecutter.project_slug }}_devkit.openapi_contract import load_openapi

    return load_openapi(ROOT / "services" / service / "openapi.yaml")


def test_openapi_schemas_become_json_schema_draft_7() -> None:
    document = {
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "required": ["name"],
                    "x-internal": True,
                    "properties": {
                        "name": {"type": "string", "nullable": True, "example": "a"},
                        "kind": {"type": "string", "enum": ["a", "b"], "nullable": True},
                        "child": {"$ref": "#/components/schemas/Node"},
                        "size": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                        "description": {"type": "string", "description": "a property's name"},
                    },
                },
                "Unused": {"type": "string"},  # not referred to: left out of the test
            }
        }
    }
    converted = json_schema({"$ref": "#/components/schemas/Node"}, components(document))
    assert converted == {
        "$ref": "#/definitions/Node",
        "definitions": {
            "Node": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": ["string", "null"]},
                    "kind": {"type": ["string", "null"], "enum": ["a", "b", None]},
                    "child": {"$ref": "#/definitions/Node"},
                    "size": {"type": "number", "exclusiveMinimum": 0},
                    "description": {"type": "string"},
                },
            }
        },
    }


@pytest.fixture(scope="module")
def notes_collection() -> dict[str, Any]:
    """The converter's collection of the first service, with the tests added."""
    service = sorted(path.parent.name for path in (ROOT / "services").glob("*/app.py"))[0]
    document_path = ROOT / "services" / service / "openapi.yaml"
    return add_tests(convert(ROOT, document_path), _document(service))


def test_every_request_has_a_test_of_its_documented_statuses_and_schemas(
    notes_collection: dict[str, Any],
) -> None:
    assert notes_collection["info"]["schema"] == COLLECTION_SCHEMA
    # The environment names the URL; the token is the environment's too.
    assert "baseUrl" not in [variable["key"] for variable in notes_collection["variable"]]
    assert notes_collection["auth"]["bearer"][0]["value"] == "{" "{bearerToken}" "}"
    items = list(requests(notes_collection["item"]))
    assert items
    for item in items:
        (test,) = [event for event in item["event"] if event["listen"] == "test"]
        script = "\n".join(test["script"]["exec"])
        assert "pm.response.to.have.jsonSchema(schemas[key]" in script
        assert item["request"]["url"]["host"] == ["{" "{baseUrl}" "}"]
    delete = next(item for item in items if item["request"]["method"] == "DELETE")
    lines = delete["event"][-1]["script"]["exec"]
    documented = json.loads(lines[3].removeprefix("var documented = ").removesuffix(";"))
    schemas = json.loads(lines[4].removeprefix("var schemas = ").removesuffix(";"))
    assert {"204", "404"} <= set(documented)
    assert "204" not in schemas  # no body to check
    assert schemas["404"]["$ref"] == "#/definitions/Error"
    assert schemas["404"]["definitions"]["Error"]["required"] == ["Code", "Message"]


def test_the_task_writes_a_collection_and_a_stage_environment_per_service(
    invoke_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: ProjectConfig
) -> None:
    monkeypatch.setattr(api, "POSTMAN_DIR", tmp_path)
    stage = next(iter(project.stages))
    api.postman(MockContext(config=invoke_config), stage=stage, local=True, first_port=9100)
    for index, service in enumerate(project.services):
        collection = json.loads((tmp_path / f"{service}.postman_collection.json").read_text())
        assert collection["info"]["schema"] == COLLECTION_SCHEMA
        environment = tmp_path / f"{service}.{stage}.postman_environment.json"
        values = {value["key"]: value for value in json.loads(environment.read_text())["values"]}
        assert values["baseUrl"]["value"] == f"http://127.0.0.1:{9100 + index}"
        assert (values["bearerToken"]["type"], values["bearerToken"]["value"]) == ("secret", "")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stage": "nowhere"}, "Unknown stage 'nowhere'; the stages are: "),
        ({"service": "nothing"}, "Unknown service 'nothing'; the services are: "),
        ({"first_port": 80, "local": True}, "--first-port 80 is not a port from 1024 to "),
    ],
)
def test_bad_options_stop_the_task_with_one_line(
    invoke_config: Config, project: ProjectConfig, options: dict[str, Any], message: str
) -> None:
    options = {"stage": next(iter(project.stages)), **options}
    with pytest.raises(Exit) as stopped:
        api.postman(MockContext(config=invoke_config), **options)
    assert stopped.value.code == 1
    assert str(stopped.value.message).startswith(message)
    assert "\n" not in str(stopped.value.message)


@pytest.mark.integration
def test_a_deployed_stage_gives_each_service_its_stack_url(
    aws_clients: ClientFactory, project: ProjectConfig
) -> None:
    stage = f"t{uuid.uuid4().hex[:8]}"
    service, missing = project.services[0], "absent"
    cloudformation = aws_clients("cloudformation")
    # Not an AWS host name: LocalStack rewrites those in outputs to point at itself.
    url = "https://api.example.com/api/"
    template = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"EndpointURL": {"Value": url}},
    }
    stack = project.service_stack_name(stage, service)
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    try:
        # LocalStack creates stacks in the background, as CloudFormation does.
        cloudformation.get_waiter("stack_create_complete").wait(
            StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        assert deployed_urls(project, stage, [service], cloudformation) == {service: url[:-1]}
        with pytest.raises(ServiceNotDeployed, match=f"{missing} is not deployed in stage"):
            deployed_urls(project, stage, [service, missing], cloudformation)
    finally:
        cloudformation.delete_stack(StackName=stack)


@pytest.fixture
def dev_server(tmp_path: Path, project: ProjectConfig) -> Iterator[tuple[Path, int]]:
    """`invoke dev` in a folder of its own, on its own local cloud: (that folder, first port)."""
    state_dir = tmp_path / local_cloud.STATE_DIR
    cloud_port, moto_port = free_port_run(2)
    local_cloud_engine.up(project, state_dir, "moto", "", cloud_port, moto_port)
    first, *_ = free_port_run(len(project.services))
    command = [str(INVOKE), "--search-root", str(ROOT), "dev", "--first-port", str(first),
               "--stage", next(iter(project.stages))]  # fmt: skip
    env = {**os.environ, "INVOKE_LOCAL_CLOUD_ENGINE": "moto"}
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("Serving."):
                break
        else:
            raise AssertionError(f"invoke dev stopped with code {server.wait()}")
        # Keep reading its output, or a full pipe would stall the server mid-run.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        yield tmp_path, first
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        local_cloud_engine.down(project, state_dir)


@pytest.mark.slow
@pytest.mark.integration
def test_newman_runs_each_collection_against_invoke_dev_without_a_failure(
    dev_server: tuple[Path, int], invoke_config: Config, project: ProjectConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    folder, first_port = dev_server
    stage = next(iter(project.stages))
    out = folder / "postman"
    monkeypatch.setattr(api, "POSTMAN_DIR", out)
    api.postman(MockContext(config=invoke_config), stage=stage, local=True, first_port=first_port)
    token = _new_user_token(project, stage, folder / local_cloud.STATE_DIR)
    for service in project.services:
        environment = out / f"{service}.{stage}.postman_environment.json"
        with_token = environment_with_token(environment, token, folder)
        run = run_newman(ROOT, out / f"{service}.postman_collection.json", with_token, folder)
        assert (run.exit_code, run.failures) == (0, []), run.output
        assert run.assertions >= len(run.statuses) >= 9
        assert 201 in run.statuses.values(), run.statuses  # signed in: a record was made
    for path in out.iterdir():
        assert token not in path.read_text()


def _new_user_token(project: ProjectConfig, stage: str, state_dir: Path) -> str:
    """A user of the admins group added and signed in, as `auth.users.add` and `auth.token` do."""
    user, password = f"pm{uuid.uuid4().hex[:8]}", f"Local-{uuid.uuid4().hex}-A1"
    cognito = auth_users.cognito_client(project, stage, state_dir, aws=False)
    auth_users.add_user(cognito, project, stage, user, f"{user}@example.com", ["admins"], password)
    return auth_users.token(cognito, project, stage, user, password)
