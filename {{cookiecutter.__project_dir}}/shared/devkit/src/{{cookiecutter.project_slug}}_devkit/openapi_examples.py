"""Examples in an OpenAPI document: every operation has them, and each matches its schema.

Examples are what people read first and what schemathesis sends first (its explicit
phase), so one that the schema refuses misleads both. Request bodies and every
response with content must show one (`example`, or `examples` whose entries may be
references to components/examples); parameter examples are checked when given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import fastjsonschema

from .openapi_schemas import components, json_schema
from .openapi_validators import operations, resolve


def example_problems(document: Mapping[str, Any]) -> list[str]:
    """One line per missing example or example its schema refuses; empty when all is well."""
    definitions = components(document)
    problems: list[str] = []
    for operation in operations(document):
        carriers: list[tuple[str, Any]] = []
        if "requestBody" in operation.spec:
            carriers.append(("request body", resolve(document, operation.spec["requestBody"])))
        for status, response in operation.spec.get("responses", {}).items():
            carriers.append((f"response {status}", resolve(document, response)))
        for where, carrier in carriers:
            for media, content in carrier.get("content", {}).items():
                at = f"{operation.label} {where} {media}"
                examples = list(_examples(document, content))
                if not examples:
                    problems.append(f"{at}: no example")
                problems += _refused(definitions, content.get("schema"), examples, at)
        for parameter in operation.parameters:
            at = f"{operation.label} parameter {parameter['name']}"
            examples = list(_examples(document, parameter))
            problems += _refused(definitions, parameter.get("schema"), examples, at)
    return problems


def _examples(document: Mapping[str, Any], holder: Mapping[str, Any]) -> Iterator[Any]:
    if "example" in holder:
        yield holder["example"]
    for example in holder.get("examples", {}).values():
        yield resolve(document, example).get("value")


def _refused(definitions: dict[str, Any], schema: Any, examples: list[Any], at: str) -> list[str]:
    if schema is None or not examples:
        return []
    validate = fastjsonschema.compile({**json_schema(schema, at), "definitions": definitions})
    problems = []
    for example in examples:
        try:
            validate(example)
        except fastjsonschema.JsonSchemaValueException as error:
            problems.append(f"{at}: the example {example!r} breaks the schema: {error.message}")
    return problems
