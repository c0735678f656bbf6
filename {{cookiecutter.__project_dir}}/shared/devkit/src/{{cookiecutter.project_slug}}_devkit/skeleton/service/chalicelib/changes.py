"""Reacting to changes of the service's records: the consumer of its table's stream."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from {{ cookiecutter.project_slug }}_data import Change, Projection

STREAM_ARN_VARIABLE = "APP_TABLE_STREAM_ARN"
# Chalice reads the stream ARN when it loads the app. Without the variable (unit
# tests, a package built before the stage exists) the handler names this stream,
# which does not exist: a deploy that forgot the variable fails instead of
# subscribing to nothing.
NO_STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/no-table/stream/1970-01-01T00:00:00.000"
# Lambda's partial batch response (ReportBatchItemFailures on the event source mapping).
BatchResponse = dict[str, list[dict[str, str]]]


def table_stream_arn() -> str:
    """The ARN of the table's stream, as `invoke dev` and the deploy set it."""
    return os.environ.get(STREAM_ARN_VARIABLE) or NO_STREAM


class ChangeFeed:
    """Hands each change of the stream to the service's projections, in order.

    The projections (composition.py builds them: the change log first; SQL and search
    indexes can follow) are each called once per record, in the order given; each
    must be idempotent, as Lambda delivers a record at least once and a retry starts
    again from the first projection.
    """

    def __init__(
        self, service: str, projections: Sequence[Projection], emit: Callable[[str], None]
    ) -> None:
        self._service = service
        self._projections = tuple(projections)
        self._emit = emit

    def handle(self, event: Mapping[str, Any]) -> BatchResponse:
        """Handle a stream event's records in order, as Lambda delivers them (a dict).

        Stops at the first record that fails and reports it as Lambda's partial batch
        response: Lambda checkpoints before the lowest reported sequence number and
        retries from there, so records of one key keep their order. The records are
        parsed here one by one, not by iterating Chalice's DynamoDBEvent, whose
        iterator raises on the first malformed record and would fail the whole batch.
        """
        records = event.get("Records") or []
        for done, record in enumerate(records):
            projection = "parse"
            try:
                change = Change.from_stream_record(record)
                for step in self._projections:
                    projection = step.name
                    step.apply(change)
                self._emit(_changed_line(self._service, change))
            except Exception as error:
                sequence = _sequence_number(record)
                self._log(
                    "ERROR",
                    "stream record failed",
                    sequence_number=sequence,
                    projection=projection,
                    error=type(error).__name__,
                    where=_where(error),
                )
                self._summary(processed=done, failed=1, not_attempted=len(records) - done - 1)
                # An empty identifier (a record without a sequence number) makes Lambda
                # fail the whole batch: retried, then bisected down to that record.
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        self._summary(processed=len(records), failed=0, not_attempted=0)
        return {"batchItemFailures": []}

    def _summary(self, **counts: int) -> None:
        self._log("INFO", "stream batch handled", **counts)

    def _log(self, level: str, message: str, **fields: Any) -> None:
        # Counts, sequence numbers and error types only: record values may be personal.
        line = {"level": level, "message": message, "service": self._service, **fields}
        self._emit(json.dumps(line, sort_keys=True))


def _changed_line(service: str, change: Change) -> str:
    # The record's id and the kind of change: never its values.
    line = {"message": "record changed", "service": service, "change": change.kind,
            "id": change.record_id}  # fmt: skip
    return json.dumps(line, sort_keys=True)


def _sequence_number(record: Any) -> str:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    sequence = change.get("SequenceNumber") if isinstance(change, dict) else None
    return sequence if isinstance(sequence, str) else ""


def _where(error: BaseException) -> str:
    """File and line where `error` was raised: enough to find the bug, and no value in it."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    if trace is None:
        return ""
    return f"{os.path.basename(trace.tb_frame.f_code.co_filename)}:{trace.tb_lineno}"
