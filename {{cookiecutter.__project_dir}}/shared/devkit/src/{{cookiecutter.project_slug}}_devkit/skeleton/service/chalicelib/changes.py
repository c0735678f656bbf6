"""Reacting to changes of the service's records: the consumer of its table's stream."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import DynamoDBRecord

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
    """Turns stream records into one JSON line per change; replace `react` with your reaction."""

    def __init__(self, service: str, emit: Callable[[str], None]) -> None:
        self._service = service
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
            try:
                self.react(DynamoDBRecord(record, None))
            except Exception as error:
                sequence = _sequence_number(record)
                self._log(
                    "ERROR",
                    "stream record failed",
                    sequence_number=sequence,
                    error=type(error).__name__,
                    where=_where(error),
                )
                self._log(
                    "INFO",
                    "stream batch handled",
                    processed=done,
                    failed=1,
                    not_attempted=len(records) - done - 1,
                )
                # An empty identifier (a record without a sequence number) makes Lambda
                # fail the whole batch: retried, then bisected down to that record.
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        self._log("INFO", "stream batch handled", processed=len(records), failed=0, not_attempted=0)
        return {"batchItemFailures": []}

    def react(self, record: DynamoDBRecord) -> None:
        """Report one change; raise to have the record retried."""
        self._emit(
            json.dumps(
                {
                    "message": "record changed",
                    "service": self._service,
                    "change": record.event_name,
                    "id": record.keys["id"]["S"],
                },
                sort_keys=True,
            )
        )

    def _log(self, level: str, message: str, **fields: Any) -> None:
        # Counts, sequence numbers and error types only: record values may be personal.
        line = {"level": level, "message": message, "service": self._service, **fields}
        self._emit(json.dumps(line, sort_keys=True))


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
