"""One change of a record, read from a DynamoDB stream record, and what consumes it.

A service's stream handler turns each record of its table's stream into a `Change`
and hands it to its projections in order (a change log today; SQL and search
indexes later). Lambda delivers a record at least once (retries, bisected batches,
replays), so every projection must be idempotent: applying a change it has applied
already leaves what it keeps as it was.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

KINDS = ("INSERT", "MODIFY", "REMOVE")


class MalformedChange(ValueError):
    """A stream record that is not a change of a record; the message holds no value of it."""


@dataclass(frozen=True)
class Change:
    """A record's change as its table's stream reports it.

    `sequence_number` orders the changes of one record (a key's changes stay in one
    shard, whose numbers grow). The images are DynamoDB attribute values; they are
    left out of repr, so a change can be logged without its data.
    """

    record_id: str
    kind: str
    sequence_number: str
    event_id: str
    changed_at: str
    new_image: Mapping[str, Any] | None = field(default=None, repr=False)
    old_image: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_stream_record(cls, record: Any) -> Change:
        """The change a stream record (as Lambda sends it) stands for; else MalformedChange."""
        if not isinstance(record, Mapping):
            raise MalformedChange("a stream record must be an object")
        body = record.get("dynamodb")
        if not isinstance(body, Mapping):
            raise MalformedChange("the record has no dynamodb section")
        keys = body.get("Keys")
        record_id = keys.get("id", {}).get("S") if isinstance(keys, Mapping) else None
        if not isinstance(record_id, str) or not record_id:
            raise MalformedChange("the record's key is not a string id")
        kind = record.get("eventName")
        if kind not in KINDS:
            raise MalformedChange("the record's eventName is not INSERT, MODIFY or REMOVE")
        sequence = body.get("SequenceNumber")
        if not isinstance(sequence, str) or not sequence.isdigit():
            raise MalformedChange("the record has no sequence number")
        created = body.get("ApproximateCreationDateTime")
        return cls(
            record_id=record_id,
            kind=str(kind),
            sequence_number=sequence,
            event_id=str(record.get("eventID") or ""),
            changed_at=_iso(created),
            new_image=_image(body.get("NewImage")),
            old_image=_image(body.get("OldImage")),
        )


class SkipReport:
    """A projection's one warning line for changes it skips by configuration.

    Skipping (no database or index in this stage, a change without images) is not a
    failure a retry could fix, so the batch goes on; the log says so once per process.
    """

    def __init__(self, projection: str, service: str, emit: Callable[[str], None]) -> None:
        self._projection = projection
        self._service = service
        self._emit = emit
        self._reported = False

    def __call__(self, reason: str) -> None:
        if self._reported:
            return
        self._reported = True
        line = {"level": "WARNING", "service": self._service,
                "message": f"{self._projection} projection skipped: {reason}"}  # fmt: skip
        self._emit(json.dumps(line, sort_keys=True))


class Projection(Protocol):
    """Something a service keeps up to date from its changes (a change log, an index).

    `apply` must be idempotent (see the module's docstring) and raise when it could
    not apply the change: the stream handler then reports the record failed and
    Lambda retries it, with every projection, from that record on.
    """

    @property
    def name(self) -> str:
        """Short name for logs: `change_log`, `sql`, `search`."""
        ...

    def apply(self, change: Change) -> None:
        """Bring the projection up to date with `change`."""
        ...


def _iso(epoch_seconds: Any) -> str:
    if not isinstance(epoch_seconds, int | float):
        return ""
    moment = datetime.datetime.fromtimestamp(epoch_seconds, tz=datetime.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _image(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None
