"""OpenAPI 3.0 and 3.1 schemas as plain JSON Schema (draft 7), for validators that know no OpenAPI.

OpenAPI 3.0 writes schemas in its own dialect: `nullable`, boolean
`exclusiveMinimum`, `$ref` siblings ignored, annotations such as `example`. 3.1
uses JSON Schema 2020-12, of which draft 7 (what fastjsonschema compiles) lacks a
few keywords: a schema using them is refused here rather than checked less than it
says. References to `#/components/schemas/X` become `#/definitions/X`; the caller
puts the converted components there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

COMPONENTS = "#/components/schemas/"
DEFINITIONS = "#/definitions/"
# Keywords whose value is one schema, a list of schemas, or a map of names to schemas.
_ONE = ("additionalProperties", "not", "propertyNames", "contains", "if", "then", "else")
_MANY = ("allOf", "anyOf", "oneOf")
_NAMED = ("properties", "patternProperties", "definitions", "$defs")
# Say nothing about validity (documentation, code generation, client hints).
_ANNOTATIONS = frozenset(
    {"example", "examples", "description", "title", "discriminator", "xml", "externalDocs",
     "readOnly", "writeOnly", "deprecated", "$comment", "contentMediaType", "contentEncoding"}
)  # fmt: skip
# 2020-12 keywords draft 7 has no counterpart for: refusing beats silently skipping.
_UNSUPPORTED = frozenset(
    {"prefixItems", "unevaluatedItems", "unevaluatedProperties", "dependentSchemas",
     "dependentRequired", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "minContains",
     "maxContains"}
)  # fmt: skip


class UnsupportedSchema(ValueError):
    """The document uses something this conversion cannot express; the message says where."""


def json_schema(schema: Any, at: str = "#") -> Any:
    """The draft 7 JSON Schema equal to OpenAPI `schema` (either version's dialect).

    `at` names where the schema sits in the document, for error messages.
    """
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping):
        raise UnsupportedSchema(f"{at}: a schema must be an object or a boolean")
    if "$ref" in schema:
        return _reference(schema, at)
    unsupported = sorted(_UNSUPPORTED & set(schema))
    if unsupported:
        raise UnsupportedSchema(f"{at}: {', '.join(unsupported)} cannot be validated here")
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-") or key == "nullable":
            continue
        if key in _ONE:
            converted[key] = json_schema(value, f"{at}/{key}")
        elif key in _MANY:
            converted[key] = [json_schema(item, f"{at}/{key}/{n}") for n, item in enumerate(value)]
        elif key in _NAMED:
            converted["definitions" if key == "$defs" else key] = {
                name: json_schema(item, f"{at}/{key}/{name}") for name, item in value.items()
            }
        elif key == "items":
            converted[key] = (
                [json_schema(item, f"{at}/items/{n}") for n, item in enumerate(value)]
                if isinstance(value, list)
                else json_schema(value, f"{at}/items")
            )
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            # OpenAPI 3.0 (draft 4): a flag on minimum/maximum; draft 7: the bound itself.
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in schema:
                converted[key] = schema[bound]
        elif key in ("minimum", "maximum") and schema.get(f"exclusive{key.title()}") is True:
            continue
        else:
            converted[key] = value
    return _nullable(converted) if schema.get("nullable") is True else converted


def _reference(schema: Mapping[str, Any], at: str) -> dict[str, Any]:
    target = str(schema["$ref"])
    if not target.startswith(COMPONENTS):
        raise UnsupportedSchema(f"{at}: only references to {COMPONENTS}... can be validated here")
    reference: dict[str, Any] = {"$ref": DEFINITIONS + target.removeprefix(COMPONENTS)}
    # OpenAPI 3.1 applies a reference's siblings (allOf says so); 3.0 ignores them, but
    # `nullable` beside a $ref is common there and meant.
    siblings = {key: value for key, value in schema.items() if key not in ("$ref", "nullable")}
    checked = json_schema(siblings, at) if siblings else {}
    result = {"allOf": [reference, checked]} if checked else reference
    return {"anyOf": [result, {"type": "null"}]} if schema.get("nullable") is True else result


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str) and set(schema) <= {"type", "enum", "format", "pattern",
                                                 "minLength", "maxLength", "minimum", "maximum",
                                                 "exclusiveMinimum", "exclusiveMaximum",
                                                 "multipleOf", "default"}:  # fmt: skip
        nullable = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            nullable["enum"] = [*schema["enum"], None]
        return nullable
    return {"anyOf": [schema, {"type": "null"}]}


def components(document: Mapping[str, Any]) -> dict[str, Any]:
    """Every schema of the document's components, converted, by name (for `definitions`)."""
    schemas = document.get("components", {}).get("schemas", {})
    return {name: json_schema(schema, f"{COMPONENTS}{name}") for name, schema in schemas.items()}
