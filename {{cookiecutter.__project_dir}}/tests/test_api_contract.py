"""openapi.yaml as the runtime contract: the validators compiled from it, their freshness, the
examples, and the response checks the services' test clients make. No I/O but temp files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from invoke import Config, MockContext
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import validator_modules
from {{ cookiecutter.project_slug }}_devkit.api_fuzzing import refusal_beyond_schema
from {{ cookiecutter.project_slug }}_devkit.contract_client import ResponseContract
from {{ cookiecutter.project_slug }}_devkit.openapi_examples import example_problems
from {{ cookiecutter.project_slug }}_devkit.openapi_schemas import UnsupportedSchema, json_schema
from {{ cookiecutter.project_slug }}_devkit.openapi_validators import requests_source
from {{ cookiecutter.project_slug }}_devkit.service_generator import PLACEHOLDER
from {{ cookiecutter.project_slug }}_devkit.validator_modules import (
    HEADER,
    SKELETON,
    ValidatorModule,
    stale_modules,
)

from devtasks import quality
from devtasks.layout import ROOT

ERROR = {"type": "object", "required": ["Code"], "properties": {"Code": {"type": "string"}}}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{id}": {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[a-z]{1,8}$"},
                },
            ],
            "put": {
                "operationId": "putThing",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "maximum": 9, "default": 3},
                    },
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"},
                            "example": {"name": "lamp", "note": None},
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"ETag": {"required": True, "schema": {"type": "string"}}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"},
                                "example": {"name": 5},
                            }
                        },
                    },
                    "204": {"description": "nothing"},
                    "4XX": {
                        "description": "refused",
                        "content": {"application/json": {"schema": ERROR}},
                    },
                },
            },
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "note": {"type": "string", "nullable": True},
                },
            }
        }
    },
}
ROUTE = ("PUT", "/things/{id}")


def _compiled(document: dict[str, Any]) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(requests_source(document, ""), "<validators>", "exec"), namespace)  # noqa: S102
    return namespace


def test_every_service_and_the_skeleton_match_their_documents() -> None:
    assert stale_modules(ROOT) == []


@pytest.mark.parametrize("name", ["billing", "user_prefs"])
def test_a_new_service_gets_the_validators_its_document_gives(name: str) -> None:
    # service.new and the template's hook copy the skeleton with the name filled in.
    document = (SKELETON / "openapi.yaml").read_text(encoding="utf-8")
    named = yaml.safe_load(document.replace(PLACEHOLDER, name))
    skeleton_module = (SKELETON / validator_modules.MODULE).read_text(encoding="utf-8")
    assert skeleton_module.replace(PLACEHOLDER, name) == requests_source(named, HEADER)


def test_a_changed_document_makes_its_module_stale_until_written_again(tmp_path: Path) -> None:
    folder = tmp_path / "services" / "things"
    (folder / "chalicelib").mkdir(parents=True)
    (folder / "openapi.yaml").write_text(yaml.safe_dump(DOCUMENT), encoding="utf-8")
    module = ValidatorModule(folder)
    assert module.write()
    assert module.is_current()
    assert stale_modules(tmp_path) == []

    changed = yaml.safe_dump(DOCUMENT).replace("maximum: 9", "maximum: 10")
    (folder / "openapi.yaml").write_text(changed, encoding="utf-8")
    assert stale_modules(tmp_path) == [
        "services/things/chalicelib/request_validators.py does not match "
        "services/things/openapi.yaml: run `invoke api.validators`"
    ]
    assert module.write()
    assert stale_modules(tmp_path) == []
    assert not module.write()


def test_lint_stops_first_naming_the_stale_module(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = "services/x/chalicelib/request_validators.py does not match ..."
    monkeypatch.setattr(validator_modules, "stale_modules", lambda root: [stale])
    context = MockContext(config=invoke_config)
    with pytest.raises(Exit) as refused:
        quality.lint(context)
    assert refused.value.message == stale
    assert refused.value.code == 1


def test_the_generated_module_needs_no_package_at_run_time() -> None:
    source = (SKELETON / validator_modules.MODULE).read_text(encoding="utf-8")
    imports = {line for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"from decimal import Decimal", "import re", "from typing import Any"}


def test_requests_are_checked_and_completed_as_the_document_says() -> None:
    compiled = _compiled(DOCUMENT)
    operation = compiled["OPERATIONS"][ROUTE]
    refused = compiled["JsonSchemaValueException"]
    assert operation["types"]["query"] == {"limit": "integer"}
    assert (operation["query_names"], operation["header_names"]) == (("limit",), ("If-Match",))
    assert operation["query"]({}, name_prefix="query") == {"limit": 3}
    for check, value, message in [
        ("query", {"limit": 10}, "query.limit must be smaller than or equal to 9"),
        ("query", {"other": "1"}, "query must not contain {'other'} properties"),
        ("path", {"id": "A"}, "path.id must match pattern ^[a-z]{1,8}$"),
        ("header", {}, "header must contain ['If-Match'] properties"),
        ("body", {"name": ""}, "body.name must be longer than or equal to 1 characters"),
        ("body", {"name": "x", "extra": 1}, "body must not contain {'extra'} properties"),
    ]:
        with pytest.raises(refused, match=re.escape(message)):
            operation[check](value, name_prefix=check)
    assert operation["body"]({"name": "x", "note": None}, name_prefix="body")


@pytest.mark.parametrize(
    ("schema", "converted"),
    [
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
        ({"enum": ["a"], "type": "string", "nullable": True},
         {"enum": ["a", None], "type": ["string", "null"]}),
        ({"$ref": "#/components/schemas/X", "nullable": True},
         {"anyOf": [{"$ref": "#/definitions/X"}, {"type": "null"}]}),
        ({"type": "integer", "minimum": 1, "exclusiveMinimum": True},
         {"type": "integer", "exclusiveMinimum": 1}),
        ({"type": "object", "properties": {"description": {"type": "string", "example": "x"}},
          "x-limits": {}, "description": "d"},
         {"type": "object", "properties": {"description": {"type": "string"}}}),
        ({"type": ["string", "null"], "exclusiveMaximum": 5}, {"type": ["string", "null"],
                                                              "exclusiveMaximum": 5}),
    ],
)  # fmt: skip
def test_openapi_schemas_become_json_schema(schema: Any, converted: Any) -> None:
    assert json_schema(schema) == converted


@pytest.mark.parametrize(
    "schema",
    [{"prefixItems": [{"type": "string"}]}, {"$ref": "other.yaml#/X"}, {"items": "string"}],
)
def test_what_cannot_be_checked_is_refused_not_skipped(schema: Any) -> None:
    with pytest.raises(UnsupportedSchema):
        json_schema(schema)


def test_examples_must_exist_and_match_their_schemas() -> None:
    problems = example_problems(DOCUMENT)
    assert problems == [
        "PUT /things/{id} response 200 application/json: the example {'name': 5} breaks the "
        "schema: data.name must be string",
        "PUT /things/{id} response 4XX application/json: no example",
    ]


def test_responses_are_checked_against_the_document() -> None:
    contract = ResponseContract(DOCUMENT)
    json_type = {"Content-Type": "application/json"}
    ok = {**json_type, "ETag": '"1"'}

    def problems(status: int, headers: dict[str, str], body: bytes, path: str = "/things/a") -> str:
        return "\n".join(contract.violations("PUT", path, status, headers, body))

    assert problems(200, ok, b'{"name": "lamp"}') == ""
    assert problems(404, json_type, b'{"Code": "NotFound"}') == ""  # 4XX
    assert problems(204, {}, b"") == ""
    assert "status 500 is not documented" in problems(500, json_type, b"{}")
    assert "body.name must be string" in problems(200, ok, b'{"name": 1}')
    assert "the required header ETag is missing" in problems(200, json_type, b'{"name": "x"}')
    assert "not one of" in problems(200, {**ok, "Content-Type": "text/html"}, b'{"name": "x"}')
    assert "a body where the document has none" in problems(204, {}, b"x")
    assert "no operation" in problems(200, ok, b"{}", path="/other")


def test_the_skeleton_document_keeps_its_examples(tmp_path: Path) -> None:
    document = yaml.safe_load((SKELETON / "openapi.yaml").read_text(encoding="utf-8"))
    assert example_problems(document) == []
    shutil.copytree(SKELETON, tmp_path / "services" / "copy")
    assert stale_modules(tmp_path) == []


@pytest.mark.parametrize(
    ("status", "message", "beyond"),
    [
        (400, "query.limit must be integer", False),
        (400, "body.items[1] must be object", False),
        (400, "header.If-Match must match pattern ^x$", False),
        (400, "unknown query parameters: 'x'; known: none", False),
        (400, "the body: object keys must not be empty", True),
        (400, "from must not be after to", True),
        (422, "this Idempotency-Key was used with another request", True),
        (404, "no such record", False),
    ],
)
def test_fuzzing_tells_the_contracts_refusals_from_rules_said_in_words(
    status: int, message: str, beyond: bool
) -> None:
    # Schema-valid data may get the second kind only (positive_data_acceptance).
    body = json.dumps({"Code": "BadRequestError", "Message": message}).encode()
    assert refusal_beyond_schema(status, body) is beyond
