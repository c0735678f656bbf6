"""An unhandled error: one ERROR record, counted by the metric filter, and a 500 naming it."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid

import boto3
import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit import StageResources
from {{ cookiecutter.project_slug }}_devkit.metric_filter_patterns import matches
from {{ cookiecutter.project_slug }}_observability import HEADER, configure_logging

from app import app
from chalicelib.composition import build_dependencies, dependencies

SERVICE = "__service__"
pytestmark = pytest.mark.integration


def test_an_unhandled_error_is_one_error_record_and_a_500_that_names_it(
    settings: ServiceSettings, shared_stage: StageResources, headers: dict[str, str]
) -> None:
    # A table that is not there: boto3 raises in the route, as with a misconfigured stage.
    broken = dataclasses.replace(settings, table_name=f"missing-{uuid.uuid4().hex[:8]}")
    output = io.StringIO()
    configure_logging(app.log, service=SERVICE, stage=settings.stage, stream=output)
    try:
        with dependencies.override(build_dependencies(broken)), Client(app) as client:
            response = client.http.get("/__service__/some-id", headers=headers)
    finally:
        configure_logging(app.log)

    assert response.status_code == 500
    body = json.loads(response.body)
    correlation = body["correlation_id"]
    assert response.headers[HEADER] == correlation
    assert set(body) == {"Code", "Message", "correlation_id"}
    assert "Traceback" not in response.body.decode()
    assert broken.table_name not in body["Message"]

    lines = output.getvalue().splitlines()
    errors = [line for line in lines if json.loads(line)["level"] == "ERROR"]
    assert len(errors) == 1
    (error_line,) = errors
    error = json.loads(error_line)
    assert error["correlation_id"] == correlation
    assert (error["service"], error["stage"]) == (SERVICE, settings.stage)
    assert error["request_id"]
    assert error["error"] == "ResourceNotFoundException"
    assert "Traceback" in error["stack"]

    # The stage's metric filter, as the local cloud holds it, counts that line only.
    logs = boto3.client("logs", region_name=settings.region)
    group = f"/aws/lambda/{app.app_name}-{shared_stage.stage}"
    (metric_filter,) = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [line for line in lines if matches(metric_filter["filterPattern"], line)] == errors


def test_a_handled_error_is_no_error_record(client: Client, headers: dict[str, str]) -> None:
    output = io.StringIO()
    configure_logging(app.log, stream=output)
    try:
        response = client.http.get("/__service__/missing", headers=headers)
    finally:
        configure_logging(app.log)
    assert response.status_code == 404
    assert response.headers[HEADER]
    assert '"ERROR"' not in output.getvalue()
