"""Reacting to changes of the service's records: the consumer of its table's stream."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

STREAM_ARN_VARIABLE = "APP_TABLE_STREAM_ARN"
# Chalice reads the stream ARN when it loads the app. Without the variable (unit
# tests, a package built before the stage exists) the handler names this stream,
# which does not exist: a deploy that forgot the variable fails instead of
# subscribing to nothing.
NO_STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/no-table/stream/1970-01-01T00:00:00.000"


def table_stream_arn() -> str:
    """The ARN of the table's stream, as `invoke dev` and the deploy set it."""
    return os.environ.get(STREAM_ARN_VARIABLE) or NO_STREAM


class ChangeFeed:
    """Turns stream records into one JSON line per change; replace the body with your reaction."""

    def __init__(self, service: str, emit: Callable[[str], None]) -> None:
        self._service = service
        self._emit = emit

    def handle(self, records: Iterable[Any]) -> int:
        """Report each record (a Chalice DynamoDBRecord); return how many there were."""
        count = 0
        for record in records:
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
            count += 1
        return count
