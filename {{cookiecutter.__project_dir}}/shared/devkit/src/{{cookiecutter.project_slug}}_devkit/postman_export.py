"""A service's openapi.yaml as a Postman collection (v2.1) with tests, and a stage's environment.

The official converter (openapi-to-postmanv2, node_modules/) writes the collection,
its requests on the variable `baseUrl` with the variable `bearerToken` as a bearer
token; it writes no tests. This module adds one `test` script to every request: the
status is one the operation documents, and a JSON body matches that status's schema
(as JSON Schema draft 7, which Postman and Newman check with
`pm.response.to.have.jsonSchema`; openapi_schemas converts it, as it does for the
services' request validators). The environment holds `baseUrl` and an empty
`bearerToken` of type secret: a token is pasted into Postman, never into a file.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import openapi_schemas
from .node_tools import node_tool
from .openapi_contract import load_openapi
from .secret_files import write_private_file

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
REFERENCE = re.compile(r"#/definitions/([^/]+)$")


class PostmanExportError(Exception):
    """The converter failed, or its output is not what this module expects."""


def export_service(
    root: Path, document_path: Path, collection_path: Path, environment_path: Path,
    name: str, base_url: str,
) -> int:  # fmt: skip
    """Write the service's collection (with tests) and its environment; return the number of
    requests. Each file is replaced atomically: a failure leaves the old one."""
    document = load_openapi(document_path)
    collection = add_tests(convert(root, document_path), document)
    collection_path.parent.mkdir(parents=True, exist_ok=True)
    write_private_file(collection_path, json.dumps(collection, indent=2) + "\n")
    write_private_file(environment_path, json.dumps(environment(name, base_url), indent=2) + "\n")
    return sum(1 for _ in requests(collection["item"]))


def convert(root: Path, document_path: Path) -> dict[str, Any]:
    """The converter's collection for the document, as it writes it."""
    converter = node_tool(root, "openapi2postmanv2")
    with tempfile.TemporaryDirectory(prefix="postman-") as scratch:
        output = Path(scratch) / "collection.json"
        result = subprocess.run(
            [str(converter), "--spec", str(document_path), "--output", str(output)],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        if result.returncode != 0 or not output.is_file():
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise PostmanExportError(f"openapi2postmanv2 failed on {document_path}: {last[0]}")
        collection: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    # The environment names the URL; a collection default would hide a missing one.
    collection["variable"] = [
        variable for variable in collection.get("variable", []) if variable.get("key") != "baseUrl"
    ]
    return collection


def environment(name: str, base_url: str) -> dict[str, Any]:
    """A Postman environment with the stage's `baseUrl` and an empty secret `bearerToken`."""
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "values": [
            {"key": "baseUrl", "value": base_url, "type": "default", "enabled": True},
            {"key": "bearerToken", "value": "", "type": "secret", "enabled": True},
        ],
        "_postman_variable_scope": "environment",
    }


def requests(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every request item of a collection's item tree (folders are walked)."""
    for item in items:
        if "item" in item:
            yield from requests(item["item"])
        elif "request" in item:
            yield item


def add_tests(collection: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """`collection` with a test event on each request, from its operation in `document`.

    PostmanExportError if a request matches no operation (the converter and this
    module disagree on paths): a request without its test must not go unnoticed.
    """
    try:
        definitions = openapi_schemas.components(document)
    except openapi_schemas.UnsupportedSchema as error:
        raise PostmanExportError(f"a schema cannot be checked in Postman: {error}") from None
    operations = {
        (method.upper(), _segments(path)): (path, operation)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS
    }
    for item in requests(collection["item"]):
        request = item["request"]
        key = (request["method"].upper(), tuple(_segment(part) for part in request["url"]["path"]))
        if key not in operations:
            raise PostmanExportError(f"no operation in the document for {key[0]} {key[1]}")
        path, operation = operations[key]
        try:
            script = test_script(f"{key[0]} {path}", operation, document, definitions)
        except openapi_schemas.UnsupportedSchema as error:
            raise PostmanExportError(f"a schema cannot be checked in Postman: {error}") from None
        events = [event for event in item.get("event", []) if event.get("listen") != "test"]
        item["event"] = [*events, {"listen": "test", "script": {"type": "text/javascript",
                                                                "exec": script}}]  # fmt: skip
    return collection


def _segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def _segment(part: str) -> str:
    # The converter writes a path parameter `{record_id}` as `:record_id`.
    return "{" + part[1:] + "}" if part.startswith(":") else part


def test_script(
    name: str, operation: dict[str, Any], document: dict[str, Any], definitions: dict[str, Any]
) -> list[str]:
    """The lines of the test script for one operation (`name` is e.g. "GET /notes");
    `definitions` are the document's component schemas, converted."""
    documented, schemas = [], {}
    for status, response in operation.get("responses", {}).items():
        documented.append(str(status).upper())
        schema = _json_body_schema(_resolved(response, document))
        if schema is not None:
            schemas[str(status).upper()] = json_schema(schema, definitions)
    lines = [
        "// Added by `invoke api.postman` from openapi.yaml: the answer must be one the",
        "// operation documents, and a JSON body must match that status's schema.",
        f"var operation = {json.dumps(name)};",
        f"var documented = {json.dumps(documented)};",
        f"var schemas = {json.dumps(schemas, sort_keys=True)};",
        "var status = String(pm.response.code);",
        "var range = status.charAt(0) + 'XX';",
        "var key = documented.indexOf(status) >= 0 ? status",
        "    : documented.indexOf(range) >= 0 ? range",
        "    : documented.indexOf('DEFAULT') >= 0 ? 'DEFAULT' : null;",
        "pm.test(operation + ': status ' + status + ' is documented', function () {",
        "    pm.expect(key, 'documented: ' + documented.join(', ')).to.not.equal(null);",
        "});",
        "if (key !== null && schemas[key]) {",
        "    pm.test(operation + ': the body matches the ' + key + ' schema', function () {",
        "        pm.response.to.have.jsonSchema(schemas[key], { unknownFormats: 'ignore' });",
        "    });",
        "}",
    ]
    return lines


def _resolved(node: Any, document: dict[str, Any]) -> Any:
    """`node`, or what its local `$ref` points to (followed until it is no reference)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        reference = str(node["$ref"])
        if not reference.startswith("#/") or reference in seen:
            raise PostmanExportError(f"cannot follow the reference {reference!r}")
        seen.add(reference)
        node = document
        for part in reference[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _json_body_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    for media_type, content in (response.get("content") or {}).items():
        if media_type.split(";")[0].strip().endswith("json") and "schema" in content:
            return dict(content["schema"])
    return None


def json_schema(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI schema as JSON Schema draft 7 (openapi_schemas' conversion), with the
    converted component schemas it uses, directly or not, under `definitions`: each test
    carries only what its check needs. `definitions` is `openapi_schemas.components(...)`
    of its document. UnsupportedSchema if the schema says what draft 7 cannot."""
    converted = dict(openapi_schemas.json_schema(schema))
    used: set[str] = set()
    pending = _references(converted)
    while pending:
        name = pending.pop()
        if name not in used and name in definitions:
            used.add(name)
            pending |= _references(definitions[name])
    if used:
        converted["definitions"] = {name: definitions[name] for name in sorted(used)}
    return converted


def _references(node: Any) -> set[str]:
    """The names of `#/definitions/NAME` references anywhere in `node`."""
    if isinstance(node, list):
        return {name for item in node for name in _references(item)}
    if not isinstance(node, dict):
        return set()
    found = {name for item in node.values() for name in _references(item)}
    matched = REFERENCE.match(str(node.get("$ref", "")))
    return found | {matched.group(1)} if matched else found
