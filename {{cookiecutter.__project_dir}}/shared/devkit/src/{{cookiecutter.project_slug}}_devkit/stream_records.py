"""Stream records that carry a record's images, as a service table's stream sends them.

For tests of the stream handler and its projections: Chalice's test client has no
DynamoDB event builder.
"""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from {{ cookiecutter.project_slug }}_data.images import image_of

# The ARN Lambda names in each record; handlers do not read it.
STREAM_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1970-01-01T00:00:00.000"


DAY = "2026-03-0{}T10:00:00Z"


def record_values(
    record_id: str, version: int, data: dict[str, Any], day: int = 1
) -> dict[str, Any]:
    """A stored record's attributes: created on March `day`, 2026, updated then too."""
    moment = DAY.format(day)
    return {"id": record_id, "version": version, "data": data, "created_at": moment,
            "updated_at": moment}  # fmt: skip


def stream_record(kind: str, values: dict[str, Any], sequence: int) -> dict[str, Any]:
    """The stream record of `kind` for a record now (or, for REMOVE, last) at `values`."""
    image = image_of(values)
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": 1_795_000_000.0,
        "Keys": {"id": {"S": values["id"]}},
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    body["OldImage" if kind == "REMOVE" else "NewImage"] = image
    return {"eventID": f"e{sequence}", "eventName": kind, "eventSource": "aws:dynamodb",
            "eventSourceARN": STREAM_ARN, "dynamodb": body}  # fmt: skip


def event(*records: dict[str, Any]) -> dict[str, Any]:
    """A stream event holding `records`, as Lambda delivers it."""
    return {"Records": list(records)}


def deliver(client: Client, *records: dict[str, Any]) -> None:
    """Hand `records` to the app's stream handler as Lambda would; none may fail."""
    response = client.lambda_.invoke("on_record_change", event(*records))
    assert response.payload == {"batchItemFailures": []}
