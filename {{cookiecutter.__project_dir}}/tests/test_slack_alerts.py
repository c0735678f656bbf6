"""Alarm notifications reach Slack: formatted, posted, retried, and reported when they cannot be."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_observability import slack_notifier
from {{ cookiecutter.project_slug }}_observability.slack_alerts import (
    ATTEMPTS,
    AlertNotDelivered,
    deliver_sns_event,
    post_to_slack,
    slack_message,
)

ALARM = {
    "AlarmName": "example-t1-errors",
    "NewStateValue": "ALARM",
    "NewStateReason": "Threshold Crossed: 1 datapoint [2.0] was >= the threshold (1.0).",
    "StateChangeTime": "2026-11-23T05:00:00.000+0000",
}


class FakeSlack:
    """A webhook on 127.0.0.1 that answers with the given statuses in turn and keeps what it got."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[dict[str, Any]] = []
        slack = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                slack.received.append(json.loads(self.rfile.read(length)))
                self.send_response(slack.statuses.pop(0) if slack.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = self.server.server_port
        self.url = f"http://127.0.0.1:{port}/services/T000/B000/{uuid.uuid4().hex}"


StartSlack = Callable[[list[int]], FakeSlack]


@pytest.fixture
def slack_with() -> Iterator[StartSlack]:
    """Starts fake Slack webhooks for the test and stops them after it."""
    servers: list[FakeSlack] = []

    def start(statuses: list[int]) -> FakeSlack:
        slack = FakeSlack(statuses)
        # A short poll interval: shutdown() waits up to one interval (0.5 s by default).
        serve = threading.Thread(target=slack.server.serve_forever, args=(0.01,), daemon=True)
        serve.start()
        servers.append(slack)
        return slack

    yield start
    for slack in servers:
        slack.server.shutdown()
        slack.server.server_close()


def _sns_event(*alarms: dict[str, Any]) -> dict[str, Any]:
    return {"Records": [{"Sns": {"Message": json.dumps(alarm)}} for alarm in alarms]}


def _no_sleep(seconds: float) -> None:
    pass


def test_an_alarm_becomes_a_slack_message_naming_it_and_its_reason() -> None:
    text = slack_message(ALARM)["text"]
    assert text.startswith(":rotating_light: ALARM: example-t1-errors")
    assert "Threshold Crossed" in text
    assert slack_message({**ALARM, "NewStateValue": "OK"})["text"].startswith(":white_check_mark:")


def test_each_notification_of_an_sns_event_is_posted(slack_with: StartSlack) -> None:
    slack = slack_with([])
    recovered = {**ALARM, "NewStateValue": "OK"}
    assert deliver_sns_event(_sns_event(ALARM, recovered), slack.url, sleep=_no_sleep) == 2
    assert slack.received == [slack_message(ALARM), slack_message(recovered)]


def test_a_failed_post_is_retried_with_backoff_until_slack_takes_it(
    slack_with: StartSlack,
) -> None:
    slack = slack_with([500, 429])
    pauses: list[float] = []
    assert post_to_slack(slack.url, slack_message(ALARM), sleep=pauses.append) == 3
    assert len(slack.received) == 3
    assert pauses == [1.0, 2.0]


def test_when_every_attempt_fails_the_alert_is_reported_without_the_webhook_url(
    slack_with: StartSlack,
) -> None:
    slack = slack_with([503] * ATTEMPTS)
    with pytest.raises(AlertNotDelivered) as raised:
        post_to_slack(slack.url, slack_message(ALARM), sleep=_no_sleep)
    assert "HTTP 503" in str(raised.value)
    assert slack.url not in str(raised.value)
    assert "/services/" not in str(raised.value)
    assert len(slack.received) == ATTEMPTS


def test_an_unreachable_webhook_is_retried_then_reported(slack_with: StartSlack) -> None:
    slack = slack_with([])
    slack.server.shutdown()
    slack.server.server_close()
    with pytest.raises(AlertNotDelivered, match="ConnectionRefusedError") as raised:
        post_to_slack(slack.url, slack_message(ALARM), sleep=_no_sleep)
    assert slack.url not in str(raised.value)


def test_a_webhook_that_is_not_https_is_refused_before_any_post() -> None:
    with pytest.raises(AlertNotDelivered, match="must be https") as raised:
        post_to_slack("http://hooks.example.com/secret-path", slack_message(ALARM))
    assert "secret-path" not in str(raised.value)


@pytest.mark.integration
def test_the_notifier_reads_the_webhook_from_the_stage_secret_and_posts(
    local_cloud: str,
    project: ProjectConfig,
    slack_with: StartSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slack = slack_with([])
    secret_id = f"{project.prefix}/t{uuid.uuid4().hex[:8]}"
    secrets = boto3.client("secretsmanager", region_name=project.region)
    secrets.create_secret(
        Name=secret_id, SecretString=json.dumps({slack_notifier.WEBHOOK_URL_KEY: slack.url})
    )
    monkeypatch.setenv("APP_SECRET_ID", secret_id)
    monkeypatch.setenv("AWS_DEFAULT_REGION", project.region)
    slack_notifier._webhook_url.cache_clear()
    try:
        assert slack_notifier.handler(_sns_event(ALARM), None) == {"delivered": 1}
        assert slack.received == [slack_message(ALARM)]
        secrets.put_secret_value(SecretId=secret_id, SecretString="{}")
        slack_notifier._webhook_url.cache_clear()
        with pytest.raises(AlertNotDelivered, match="has no SLACK_WEBHOOK_URL"):
            slack_notifier.handler(_sns_event(ALARM), None)
    finally:
        slack_notifier._webhook_url.cache_clear()
        secrets.delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True)
