"""Stages are defined once (invoke.yaml); every service's Chalice config and infra agree with it."""

from __future__ import annotations

import json
from typing import Any

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig


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
