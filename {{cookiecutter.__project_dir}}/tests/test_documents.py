"""What a record can hold (documents.py): DynamoDB's limits, checked before every write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}_data import InvalidDocument, check_document, parse_document
from {{ cookiecutter.project_slug }}_data.limits import MAX_BODY_BYTES, MAX_BODY_DEPTH


def _deep(levels: int) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for _ in range(levels - 1):
        document = {"a": document}
    return document


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"n": [0, -0.0, 1e125, 9.99e125, -1e-130, 10**37, -(10**38 - 1), 10**125]},
        {"s": "", "\u0000": "\U0001f600", "k" * 10_000: None, "b": [True, False]},
        _deep(MAX_BODY_DEPTH),
    ],
)
def test_documents_dynamodb_holds_pass(document: dict[str, Any]) -> None:
    check_document(document)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"": 1}, "the body: object keys must not be empty"),
        ({"a": [{"x/y~": {"": 1}}]}, "the body at /a/0/x~1y~0: object keys must not be empty"),
        ({"n": float("nan")}, "finite"),
        ({"n": float("inf")}, "finite"),
        ({"n": 1e126}, "between 1E-130 and 1E+126"),
        ({"n": 1e-131}, "between 1E-130 and 1E+126"),
        ({"n": 10**38 + 1}, "at most 38 significant digits (this one has 39)"),
        ({"s": "\ud800"}, "/s: strings must be valid Unicode"),
        ({"\udfff": 1}, "the body: object keys must be valid Unicode"),
        (_deep(MAX_BODY_DEPTH + 1), f"nest at most {MAX_BODY_DEPTH} levels"),
        ({"set": {1, 2}}, "set is not a JSON value"),
    ],
)
def test_documents_dynamodb_cannot_hold_are_refused_where_they_break(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidDocument) as refused:
        check_document(document)
    assert message in str(refused.value)


def test_a_long_location_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidDocument) as refused:
        check_document({"k" * 5000: {"": 1}})
    assert len(str(refused.value)) < 250


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "must be a JSON object"),
        (None, "must be a JSON object"),
        (b"[1]", "must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "must be at most"),
        (b'{"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "nest at most"),
        (b"{" + b" " * MAX_BODY_BYTES + b"}", f"at most {MAX_BODY_BYTES} bytes"),
    ],
)
def test_bodies_that_are_no_json_object_are_refused(raw: bytes | None, message: str) -> None:
    with pytest.raises(InvalidDocument) as refused:
        parse_document(raw)
    assert message in str(refused.value)


def test_a_body_parses_to_its_object() -> None:
    assert parse_document(json.dumps({"a": [1, 2.5, "x"]}).encode()) == {"a": [1, 2.5, "x"]}
