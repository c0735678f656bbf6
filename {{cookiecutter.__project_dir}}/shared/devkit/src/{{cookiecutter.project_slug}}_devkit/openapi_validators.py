"""Validators compiled from an OpenAPI document: each operation's request parts, each response.

One JSON Schema (draft 7) holds the document's component schemas under
`definitions` and, under `operations`, one schema per request part (query, path
and header parameters as objects, the JSON body) or per documented response
body. fastjsonschema compiles it into Python source in which each of those is a
function of its own; `requests_source` writes the module a service ships,
`response_checks` executes the response functions in memory for tests.

Parameters arrive as strings; an `integer`, `number` or `boolean` parameter is
converted before it is checked (`PARAMETER_TYPES` tells the runtime which).
Query and path objects refuse names the document does not list; headers other
than the documented ones are not looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import fastjsonschema

from .openapi_schemas import COMPONENTS, UnsupportedSchema, components, json_schema

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
LOCATIONS = ("query", "path", "header")
JSON_MEDIA = re.compile(r"application/(?:[\w.+-]+\+)?json\s*(?:;.*)?", re.IGNORECASE)
# OpenAPI: parameters of these names in a header are ignored (other fields say them).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_COERCED = ("integer", "number", "boolean")
# The compiled code imports its exceptions from fastjsonschema; the shipped module
# defines them itself, so it needs no package at run time.
_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"
_OWN_EXCEPTIONS = '''

class JsonSchemaValueException(ValueError):
    """A request part breaks the document; `message` names the part and the rule."""

    def __init__(self, message, value=None, name=None, definition=None, rule=None):
        super().__init__(message)
        self.message, self.value, self.name = message, value, name
        self.definition, self.rule = definition, rule


JsonSchemaValuesException = JsonSchemaValueException
'''


@dataclass(frozen=True)
class Operation:
    """One operation of the document, with the references it uses resolved."""

    method: str
    path: str
    key: str
    spec: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]

    @property
    def label(self) -> str:
        """`POST /notes`."""
        return f"{self.method} {self.path}"


def operations(document: Mapping[str, Any]) -> list[Operation]:
    """Every operation, in the document's order, keyed by a Python-safe operationId."""
    found: list[Operation] = []
    keys: set[str] = set()
    for path, item in document.get("paths", {}).items():
        shared = [resolve(document, p) for p in item.get("parameters", [])]
        for method in METHODS:
            if method not in item:
                continue
            spec = item[method]
            own = [resolve(document, p) for p in spec.get("parameters", [])]
            overridden = {(p["name"], p["in"]) for p in own}
            parameters = [p for p in shared if (p["name"], p["in"]) not in overridden] + own
            named = str(spec.get("operationId") or f"{method}_{path}")
            key = re.sub(r"\W", "_", named, flags=re.ASCII)
            while key in keys:
                key += "_"
            keys.add(key)
            found.append(Operation(method.upper(), path, key, spec, tuple(parameters)))
    return found


def resolve(document: Mapping[str, Any], value: Any) -> Any:
    """`value`, or what its local `$ref` (#/components/...) points to."""
    while isinstance(value, Mapping) and "$ref" in value:
        target = str(value["$ref"])
        if not target.startswith("#/"):
            raise UnsupportedSchema(f"{target}: only references inside the document are read")
        value = document
        for part in target[2:].split("/"):
            value = value[part.replace("~1", "/").replace("~0", "~")]
    return value


def json_body_schema(document: Mapping[str, Any], carrier: Mapping[str, Any], at: str) -> Any:
    """The JSON Schema of `carrier`'s (a request body's or response's) JSON content, or None."""
    content = resolve(document, carrier).get("content", {})
    for media, value in content.items():
        if JSON_MEDIA.fullmatch(media) and "schema" in value:
            return json_schema(value["schema"], f"{at}/content/{media}/schema")
    return None


def parameter_schemas(document: Mapping[str, Any], operation: Operation) -> dict[str, Any]:
    """One object schema per location (query, path, header) of the operation's parameters."""
    schemas: dict[str, Any] = {}
    for location in LOCATIONS:
        listed = [
            p
            for p in operation.parameters
            if p["in"] == location
            and not (location == "header" and p["name"].lower() in _IGNORED_HEADERS)
        ]
        properties = {}
        for parameter in listed:
            if "schema" not in parameter:
                raise UnsupportedSchema(
                    f"{operation.label}: parameter {parameter['name']} needs a schema"
                )
            at = f"{operation.label} parameter {parameter['name']}"
            properties[parameter["name"]] = json_schema(parameter["schema"], at)
        required = [p["name"] for p in listed if p.get("required") or location == "path"]
        schemas[location] = {
            "type": "object",
            "properties": properties,
            **({"required": required} if required else {}),
            # Unknown query parameters are refused, not ignored: `limt=5` must not pass.
            "additionalProperties": location == "header",
        }
    return schemas


def parameter_types(document: Mapping[str, Any], operation: Operation) -> dict[str, dict[str, str]]:
    """Per location, the parameters whose strings become integers, numbers or booleans."""
    types: dict[str, dict[str, str]] = {location: {} for location in LOCATIONS}
    for parameter in operation.parameters:
        schema = resolve(document, parameter.get("schema", {}))
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        coerced = next((name for name in _COERCED if name in kinds), None)
        if coerced and parameter["in"] in types:
            types[parameter["in"]][parameter["name"]] = coerced
    return types


def _compile(document: Mapping[str, Any], parts: dict[str, dict[str, Any]]) -> str:
    root = {
        "definitions": components(document),
        "operations": parts,
        # The root refers to every part, so each is compiled into a function of its own
        # (named after its path); allOf, as properties would name variables after keys.
        "allOf": [
            {"$ref": f"#/operations/{key}/{part}"}
            for key, schemas in parts.items()
            for part in schemas
        ],
    }
    try:
        return str(fastjsonschema.compile_to_code(root))
    except fastjsonschema.JsonSchemaDefinitionException as error:
        raise UnsupportedSchema(str(error)) from None


def _function(source: str, key: str, part: str) -> str:
    name = _function_name(key, part)
    if f"\ndef {name}(" not in source:
        raise UnsupportedSchema(f"no compiled function {name} for {key} {part}")
    return name


def requests_source(document: Mapping[str, Any], header: str) -> str:
    """The Python module that checks every operation's request: `header`, then code.

    OPERATIONS maps (METHOD, path template) to the validators of the query, path and
    header objects, the JSON body's (or None), whether a body is required, the
    parameters to convert from strings, and the query and header names it documents.
    """
    table = list(operations(document))
    parts: dict[str, dict[str, Any]] = {}
    bodies: dict[str, tuple[bool, bool]] = {}
    for operation in table:
        parts[operation.key] = parameter_schemas(document, operation)
        body = resolve(document, operation.spec.get("requestBody", {}))
        body_schema = json_body_schema(document, body, operation.label) if body else None
        if body_schema is not None:
            parts[operation.key]["body"] = body_schema
        bodies[operation.key] = (body_schema is not None, bool(body.get("required")))
    source = _compile(document, parts)
    if _IMPORT not in source:
        raise UnsupportedSchema(f"fastjsonschema {fastjsonschema.VERSION} changed its imports")
    source = source.replace(_IMPORT, "from typing import Any\n" + _OWN_EXCEPTIONS)
    lines = ["", "", "OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {"]
    for operation in table:
        key, (has_body, required) = operation.key, bodies[operation.key]
        # (The brace is added apart: the template renders this file with Jinja.)
        lines.append(f"    ({operation.method!r}, {operation.path!r}): " + "{")
        for location in LOCATIONS:
            lines.append(f"        {location!r}: {_function(source, key, location)},")
        body = _function(source, key, "body") if has_body else "None"
        lines.append(f"        'body': {body},")
        lines.append(f"        'body_required': {required!r},")
        lines.append(f"        'types': {parameter_types(document, operation)!r},")
        for location in ("query", "header"):
            names = tuple(parts[key][location]["properties"])
            lines.append(f"        '{location}_names': {names!r},")
        lines.append("    },")
    lines.append("}")
    module = header + source.rstrip() + "\n" + "\n".join(lines) + "\n"
    return "\n".join(line.rstrip() for line in module.split("\n"))


@dataclass(frozen=True)
class ResponseCheck:
    """What one documented response of an operation allows."""

    body: Callable[..., Any] | None
    media_types: tuple[str, ...]
    headers: Mapping[str, Mapping[str, Any]]


def response_checks(
    document: Mapping[str, Any],
) -> dict[tuple[str, str], dict[str, ResponseCheck]]:
    """Per (METHOD, path template), per documented status ("200", "4XX", "default")."""
    table = list(operations(document))
    parts: dict[str, dict[str, Any]] = {}
    for operation in table:
        for status, response in _responses(document, operation):
            schema = json_body_schema(document, response, f"{operation.label} {status}")
            if schema is not None:
                parts.setdefault(operation.key, {})[status] = schema
    namespace: dict[str, Any] = {}
    exec(compile(_compile(document, parts), "<openapi responses>", "exec"), namespace)  # noqa: S102
    checks: dict[tuple[str, str], dict[str, ResponseCheck]] = {}
    for operation in table:
        by_status = checks.setdefault((operation.method, operation.path), {})
        for status, response in _responses(document, operation):
            schemas = parts.get(operation.key, {})
            body = namespace[_function_name(operation.key, status)] if status in schemas else None
            headers = {
                name: resolve(document, value)
                for name, value in response.get("headers", {}).items()
            }
            by_status[status] = ResponseCheck(body, tuple(response.get("content", {})), headers)
    return checks


def _function_name(key: str, part: str) -> str:
    # fastjsonschema names a referenced schema's function after its path.
    return "validate___" + re.sub(r"[^a-zA-Z0-9_]", "_", f"operations/{key}/{part}").lower()


def _responses(
    document: Mapping[str, Any], operation: Operation
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for status, response in operation.spec.get("responses", {}).items():
        yield str(status), resolve(document, response)


__all__ = [
    "COMPONENTS",
    "Operation",
    "ResponseCheck",
    "operations",
    "requests_source",
    "resolve",
    "response_checks",
]
