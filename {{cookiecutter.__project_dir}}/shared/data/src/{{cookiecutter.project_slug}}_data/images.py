"""A record as a change's image holds it: the values a projection keeps of it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .changes import Change
from .serialization import from_item


@dataclass(frozen=True)
class ProjectedRecord:
    """One version of a record, as the SQL and search projections receive it.

    A removal is a version too, one above the last stored (`deleted=True`), so that a
    replayed older change can never bring a deleted record back.
    """

    id: str
    version: int
    data: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool = False


def projected_record(change: Change) -> ProjectedRecord | None:
    """The version `change` leaves behind; None when its image lacks what a projection needs
    (a table written by other code, or a stream without images)."""
    removed = change.kind == "REMOVE"
    image = change.old_image if removed else change.new_image
    if image is None:
        return None
    values = from_item(dict(image))
    version = values.get("version")
    data = values.get("data")
    created = _moment(values.get("created_at"))
    updated = _moment(values.get("updated_at"))
    if not isinstance(version, int) or not isinstance(data, dict) or not created or not updated:
        return None
    if removed:
        deleted_at = _moment(change.changed_at) or updated
        return ProjectedRecord(change.record_id, version + 1, {}, created, deleted_at, True)
    return ProjectedRecord(change.record_id, version, data, created, updated)


def _moment(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def image_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` as a stream image (tests build changes with it)."""
    from .serialization import to_item

    return to_item(dict(values))
