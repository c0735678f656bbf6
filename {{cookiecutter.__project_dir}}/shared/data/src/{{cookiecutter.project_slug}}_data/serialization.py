"""Conversion between JSON values and DynamoDB attribute values.

DynamoDB has no float type: numbers go in as Decimal and come back as int or float,
so a record reads back as the JSON it was written from.
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from .errors import InvalidPageToken
from .limits import is_page_token, is_record_id

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Return `values` as a DynamoDB item (attribute name -> typed value)."""
    exact = json.loads(json.dumps(values), parse_float=Decimal)
    return {name: _serializer.serialize(value) for name, value in exact.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """Return a DynamoDB item as plain JSON values."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value


def encode_page_token(last_key: dict[str, Any]) -> str:
    """Return an opaque, URL-safe token for DynamoDB's LastEvaluatedKey."""
    raw = json.dumps(from_item(last_key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, key_names: tuple[str, ...]) -> dict[str, Any]:
    """Return the ExclusiveStartKey a token stands for; InvalidPageToken if it is not ours."""
    if not is_page_token(token):
        raise InvalidPageToken("the page token is malformed")
    try:
        padded = token + "=" * (-len(token) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidPageToken("the page token is malformed") from error
    if (
        not isinstance(key, dict)
        or set(key) != set(key_names)
        or not all(isinstance(value, str) and is_record_id(value) for value in key.values())
    ):
        raise InvalidPageToken("the page token is malformed")
    return to_item(key)
