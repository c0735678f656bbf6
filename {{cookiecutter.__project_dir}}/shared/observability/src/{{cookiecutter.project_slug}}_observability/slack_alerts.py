"""CloudWatch alarm notifications (through SNS) posted to Slack: retried, and never dropped quietly.

`deliver_sns_event` is the body of the notifier function subscribed to the
stage's alert topic. A post that fails is retried with backoff; when every
attempt fails it raises AlertNotDelivered, so the invocation fails and SNS
retries it, and the failure is in the logs, not lost. The webhook URL is a
secret (it comes from the stage's secret) and never appears in a message.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

ATTEMPTS = 3
FIRST_BACKOFF_SECONDS = 1.0
TIMEOUT_SECONDS = 5.0
Post = Callable[[urllib.request.Request, float], int]


class AlertNotDelivered(Exception):
    """Slack did not accept the alert after every attempt; the message says how it failed."""


def slack_message(alarm: dict[str, Any]) -> dict[str, Any]:
    """A Slack message for a CloudWatch alarm state change (the SNS message, parsed)."""
    state = alarm.get("NewStateValue", "UNKNOWN")
    icon = {"ALARM": ":rotating_light:", "OK": ":white_check_mark:"}.get(state, ":grey_question:")
    name = alarm.get("AlarmName", "an alarm")
    reason = alarm.get("NewStateReason", "")
    when = alarm.get("StateChangeTime", "")
    return {"text": f"{icon} {state}: {name}\n{reason}\n{when}".strip()}


def _urlopen_status(request: urllib.request.Request, timeout: float) -> int:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def post_to_slack(
    webhook_url: str,
    message: dict[str, Any],
    post: Post = _urlopen_status,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST `message` to the webhook, retrying failures; return the attempts it took."""
    if not webhook_url.startswith(("https://", "http://127.0.0.1:")):
        raise AlertNotDelivered("the Slack webhook URL must be https")
    body = json.dumps(message).encode()
    outcome = ""
    backoff = FIRST_BACKOFF_SECONDS
    for attempt in range(1, ATTEMPTS + 1):
        # The scheme was checked above: https, or loopback in tests.
        request = urllib.request.Request(  # noqa: S310
            webhook_url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            status = post(request, TIMEOUT_SECONDS)
        except OSError as error:
            # urllib wraps the socket's error; name the cause, never the URL.
            cause = getattr(error, "reason", None)
            outcome = type(cause if isinstance(cause, BaseException) else error).__name__
        else:
            if 200 <= status < 300:
                return attempt
            outcome = f"HTTP {status}"
        if attempt < ATTEMPTS:
            sleep(backoff)
            backoff *= 2
    raise AlertNotDelivered(
        f"Slack did not take the alert in {ATTEMPTS} attempts (last: {outcome})"
    )


def deliver_sns_event(event: dict[str, Any], webhook_url: str, **options: Any) -> int:
    """Post each alarm notification of an SNS event; return how many were posted."""
    delivered = 0
    for record in event.get("Records", []):
        alarm = json.loads(record["Sns"]["Message"])
        post_to_slack(webhook_url, slack_message(alarm), **options)
        delivered += 1
    return delivered
