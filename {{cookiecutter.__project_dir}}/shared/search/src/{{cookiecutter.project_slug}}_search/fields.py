"""A record's data as searchable text fields: every string in it, named by its path.

    {"title": "Hi", "tags": ["a", "b"], "author": {"name": "Ann"}, "n": 3}
    -> {"title": "Hi", "tags": "a\\nb", "author/name": "Ann"}

Numbers, booleans and nulls are not text and are left out. Paths join keys with "/"
and never contain ".", which OpenSearch would read as an object path (a field "a"
in one record and "a.b" in another would then clash in the mapping).
"""

from __future__ import annotations

from typing import Any

from .port import MAX_FIELD_NAME

SEPARATOR = "/"
# The strings of a list become one field, one per line (readable in highlights).
LIST_JOINER = "\n"


def searchable_fields(data: Any) -> dict[str, str]:
    """The text fields of a record's JSON data (see the module's docstring)."""
    fields: dict[str, list[str]] = {}
    _collect(data, "", fields)
    return {name: LIST_JOINER.join(texts) for name, texts in fields.items()}


def _collect(value: Any, path: str, fields: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        if value.strip():
            fields.setdefault((path or "text")[:MAX_FIELD_NAME], []).append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key).replace(".", "_").replace(SEPARATOR, "_") or "_"
            _collect(item, f"{path}{SEPARATOR}{name}" if path else name, fields)
    elif isinstance(value, list | tuple):
        for item in value:
            # Strings of a list share its path; deeper structure keeps its own keys.
            _collect(item, path, fields)


def check_fields(fields: dict[str, str]) -> None:
    """Refuse field names an engine would read differently (ValueError, a caller's bug)."""
    for name, text in fields.items():
        if not name or len(name) > MAX_FIELD_NAME or "." in name:
            raise ValueError(f"invalid search field name {name[:MAX_FIELD_NAME]!r}")
        if not isinstance(text, str):
            raise ValueError(f"search field {name!r} is not a string")
