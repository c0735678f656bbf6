"""The stage's Slack notifier function: alarm notifications from the alert topic, posted to Slack.

infra/stage.yaml subscribes this handler to the stage's SNS alert topic. The
webhook URL is read from the stage's secret when the function starts, not
passed in its environment, so it never sits in a template or a console page.
A post that fails for good raises, so the invocation fails, Lambda retries it
and the failure is in the notifier's own log.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

from .slack_alerts import AlertNotDelivered, deliver_sns_event

# The key of the stage's secret (one JSON object) that holds the Slack webhook URL.
WEBHOOK_URL_KEY = "SLACK_WEBHOOK_URL"


def webhook_url_from_secret(client: Any, secret_id: str) -> str:
    """The webhook URL stored under WEBHOOK_URL_KEY in the secret `secret_id`."""
    stored = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    url = stored.get(WEBHOOK_URL_KEY) if isinstance(stored, dict) else None
    if not url:
        raise AlertNotDelivered(f"the stage's secret {secret_id} has no {WEBHOOK_URL_KEY}")
    return str(url)


@functools.cache
def _webhook_url() -> str:
    # boto3 is in every Lambda runtime; importing it here keeps it off the services' cold start.
    import boto3

    return webhook_url_from_secret(boto3.client("secretsmanager"), os.environ["APP_SECRET_ID"])


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Lambda entry point: post every alarm notification in the SNS `event` to Slack."""
    return {"delivered": deliver_sns_event(event, _webhook_url())}
