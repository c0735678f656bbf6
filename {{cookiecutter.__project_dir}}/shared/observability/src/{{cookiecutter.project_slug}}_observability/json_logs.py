"""One JSON object per log record, carrying the request's ids, the stage and the service.

CloudWatch Logs parses such lines, so metric filters can match fields
(`{ $.level = "ERROR" }`) instead of guessing at text.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import os
import sys
import traceback
from typing import Any, TextIO

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON with stable field names."""

    def __init__(self, service: str, stage: str) -> None:
        super().__init__()
        self._service = service
        self._stage = stage

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "service": self._service,
            "stage": self._stage,
            "request_id": request_id.get(),
            "correlation_id": correlation_id.get(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["stack"] = "".join(traceback.format_exception(*record.exc_info))
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        return json.dumps(entry, default=str)


def configure_logging(
    logger: logging.Logger,
    service: str | None = None,
    stage: str | None = None,
    level: str | None = None,
    stream: TextIO | None = None,
) -> logging.Logger:
    """Make `logger` (a Chalice app's `app.log`) write JSON lines to `stream` (stdout), alone.

    Its other handlers go and it stops propagating, so each record is written once.
    Service, stage and level default to APP_SERVICE, APP_STAGE and APP_LOG_LEVEL.
    """
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            service or os.environ.get("APP_SERVICE", ""), stage or os.environ.get("APP_STAGE", "")
        )
    )
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(level or os.environ.get("APP_LOG_LEVEL", "INFO"))
    return logger
