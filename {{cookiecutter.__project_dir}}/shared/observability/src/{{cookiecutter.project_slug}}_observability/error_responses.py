"""Unhandled errors in a Chalice app: one ERROR record and a 500 that names it, nothing more.

Chalice already turns an exception in a view into a 500 and logs it once through
`app.log`. This middleware gives every request a correlation id before that
happens (the JSON log record carries it), then puts the same id in the 500's
body and in an `X-Correlation-Id` header of every response. The body never
holds a stack trace; the log record does. Nothing here calls out over the
network: alerting happens after the fact, from the logs.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from .json_logs import configure_logging, correlation_id, request_id

if TYPE_CHECKING:
    # Annotations only: the Slack notifier's bundle imports this package without Chalice.
    from chalice import Chalice, Response
    from chalice.app import Request

HEADER = "X-Correlation-Id"
MESSAGE = "An internal error occurred. Quote the correlation id when you report it."


def report_errors(app: Chalice) -> None:
    """Install JSON logging on `app.log` and the correlation id middleware on `app`."""
    configure_logging(app.log)

    @app.middleware("http")
    def _correlate(event: Request, get_response: Any) -> Response:
        given = (event.context or {}).get("requestId")
        current = str(given) if given else uuid.uuid4().hex
        correlation = correlation_id.set(current)
        lambda_request = request_id.set(getattr(event.lambda_context, "aws_request_id", None))
        try:
            response: Response = get_response(event)
        finally:
            correlation_id.reset(correlation)
            request_id.reset(lambda_request)
        if response.status_code == 500:
            response.body = json.dumps(
                {"Code": "InternalServerError", "Message": MESSAGE, "correlation_id": current}
            )
            response.headers["Content-Type"] = "application/json"
        response.headers[HEADER] = current
        return response
