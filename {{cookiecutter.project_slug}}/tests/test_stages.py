"""Stages are defined once (invoke.yaml); every service's Chalice config and infra agree with it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageStack


def _chalice_config(project: ProjectConfig, service: str) -> dict[str, Any]:
    path = project.root / "services" / service / ".chalice" / "config.json"
    config: dict[str, Any] = json.loads(path.read_text())
    return config


def test_every_service_has_exactly_the_project_stages(project: ProjectConfig) -> None:
    for service in project.services:
        assert list(_chalice_config(project, service)["stages"]) == list(project.stages)


def test_stage_settings_name_the_stage_own_resources(project: ProjectConfig) -> None:
    for service in project.services:
        stages = _chalice_config(project, service)["stages"]
        for stage, settings in stages.items():
            env = settings["environment_variables"]
            assert env["APP_STAGE"] == stage
            assert env["APP_SERVICE"] == service
            assert env["APP_REGION"] == project.stages[stage].region
            assert env["APP_TABLE_NAME"] == project.table_name(stage, service)
            assert env["APP_LOG_LEVEL"] == project.stages[stage].log_level


@pytest.mark.integration
def test_the_stage_stack_builds_the_tables_the_services_expect(
    project: ProjectConfig, stage_stack: StageStack
) -> None:
    dynamodb = boto3.client("dynamodb", region_name=project.region)
    for service in project.services:
        name = stage_stack.table_name(service)
        assert name == project.table_name(stage_stack.stage, service)
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["StreamSpecification"]["StreamEnabled"] is True
        assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "ENABLED"
        assert ttl["AttributeName"] == "expires_at"
