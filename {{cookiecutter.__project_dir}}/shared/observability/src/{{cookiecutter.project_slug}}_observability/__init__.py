"""Structured logs, error responses and alert delivery shared by every service.

`report_errors(app)` makes a Chalice app log JSON and answer an unhandled error
with one ERROR record and a 500 naming its correlation id; `slack_alerts` turns
CloudWatch alarm notifications into Slack messages.
"""

from .error_responses import HEADER, report_errors
from .json_logs import JsonFormatter, configure_logging

__all__ = ["HEADER", "JsonFormatter", "configure_logging", "report_errors"]
