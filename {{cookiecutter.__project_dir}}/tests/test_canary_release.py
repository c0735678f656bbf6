"""Canary releases on the local cloud: real functions, versions, aliases and the stage's alarm."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig, StageResources
from {{ cookiecutter.project_slug }}_devkit.canary_release import (
    ALIAS,
    Release,
    ReleaseRefused,
    RolledBack,
    Rollout,
)
from {{ cookiecutter.project_slug }}_devkit.project_config import StageConfig

pytestmark = pytest.mark.integration


def _zip(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", body)
    return buffer.getvalue()


class Functions:
    """Functions of one test's stage: each published version has different code."""

    def __init__(self, project: ProjectConfig, stage: str) -> None:
        self.lambda_client = boto3.client("lambda", region_name=project.region)
        self.iam = boto3.client("iam", region_name=project.region)
        self.stage = stage
        self.role = f"{project.prefix}-{stage}-canary-test"
        self.role_arn = self.iam.create_role(
            RoleName=self.role,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        self.names: list[str] = []

    def publish(self, name: str, code: str) -> str:
        """Create the function or replace its code; publish and return the new version."""
        zipped = _zip(f"def handler(event, context):\n    return {code!r}\n")
        if name not in self.names:
            self.lambda_client.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=self.role_arn,
                Handler="app.handler",
                Code={"ZipFile": zipped},
            )
            self.names.append(name)
        else:
            self.lambda_client.update_function_code(FunctionName=name, ZipFile=zipped)
        return str(self.lambda_client.publish_version(FunctionName=name)["Version"])

    def alias(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.lambda_client.get_alias(FunctionName=name, Name=ALIAS)
        return found

    def remove(self) -> None:
        for name in self.names:
            self.lambda_client.delete_function(FunctionName=name)
        self.iam.delete_role(RoleName=self.role)


@pytest.fixture
def functions(project: ProjectConfig, stage_resources: StageResources) -> Iterator[Functions]:
    """Two functions of this test's stage, removed after it."""
    made = Functions(project, stage_resources.stage)
    try:
        yield made
    finally:
        made.remove()


@pytest.fixture
def cloudwatch(project: ProjectConfig) -> Any:
    return boto3.client("cloudwatch", region_name=project.region)


def _release(
    functions: Functions, cloudwatch: Any, stage_resources: StageResources, **options: Any
) -> tuple[Release, list[str]]:
    messages: list[str] = []
    release = Release(
        functions.lambda_client,
        cloudwatch,
        stage_resources.outputs["ErrorAlarmName"],
        progress=messages.append,
        **options,
    )
    return release, messages


def _first_release(functions: Functions, release: Release) -> dict[str, str]:
    names = [f"{functions.stage}-api", f"{functions.stage}-changes"]
    release.release({name: functions.publish(name, "v1") for name in names}, Rollout())
    return {name: functions.publish(name, "v2") for name in names}


def test_the_stage_policy_comes_from_invoke_yaml() -> None:
    canary = StageConfig(
        "prod", True, "r", deployment="canary", canary_percent=20, canary_minutes=5
    )
    assert Rollout.for_stage(canary) == Rollout(percent=20, bake_seconds=300)
    assert Rollout.for_stage(canary).is_canary
    assert not Rollout.for_stage(StageConfig("dev", False, "r")).is_canary


def test_all_at_once_moves_every_alias_and_a_second_release_changes_nothing(
    functions: Functions, cloudwatch: Any, stage_resources: StageResources
) -> None:
    release, messages = _release(functions, cloudwatch, stage_resources)
    new = _first_release(functions, release)
    assert release.release(new, Rollout()) == {name: "1" for name in new}
    for name, version in new.items():
        alias = functions.alias(name)
        assert alias["FunctionVersion"] == version == "2"
        assert not alias.get("RoutingConfig", {}).get("AdditionalVersionWeights")
    messages.clear()
    release.release(new, Rollout())
    assert all("already serves version 2" in message for message in messages)


def test_a_quiet_canary_gives_the_new_version_its_share_then_everything(
    functions: Functions, cloudwatch: Any, stage_resources: StageResources
) -> None:
    during: list[dict[str, Any]] = []
    release, _ = _release(functions, cloudwatch, stage_resources)
    new = _first_release(functions, release)
    now = [0.0]

    def sleep(seconds: float) -> None:
        during.append({name: functions.alias(name) for name in new})
        now[0] += seconds

    release.sleep, release.clock = sleep, lambda: now[0]
    release.release(new, Rollout(percent=10, bake_seconds=60, poll_seconds=15))
    assert len(during) == 4  # the alarm was read at 0, 15, 30, 45 and 60 s
    for aliases in during:
        for alias in aliases.values():
            assert alias["FunctionVersion"] == "1"
            assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
    for name in new:
        alias = functions.alias(name)
        assert alias["FunctionVersion"] == "2"
        assert not alias.get("RoutingConfig", {}).get("AdditionalVersionWeights")


def test_the_alarm_firing_mid_bake_rolls_every_alias_back(
    functions: Functions, cloudwatch: Any, stage_resources: StageResources
) -> None:
    alarm = stage_resources.outputs["ErrorAlarmName"]
    release, messages = _release(functions, cloudwatch, stage_resources)
    new = _first_release(functions, release)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        if now[0] >= 30:
            cloudwatch.set_alarm_state(
                AlarmName=alarm, StateValue="ALARM", StateReason="errors in the canary"
            )

    release.sleep, release.clock = sleep, lambda: now[0]
    with pytest.raises(RolledBack, match=alarm):
        release.release(new, Rollout(percent=10, bake_seconds=600, poll_seconds=15))
    assert now[0] == 30
    for name in new:
        alias = functions.alias(name)
        assert alias["FunctionVersion"] == "1"
        assert not alias.get("RoutingConfig", {}).get("AdditionalVersionWeights")
    assert any("back on version 1 alone" in message for message in messages)


def test_an_interrupted_bake_rolls_back_too(
    functions: Functions, cloudwatch: Any, stage_resources: StageResources
) -> None:
    release, _ = _release(functions, cloudwatch, stage_resources)
    new = _first_release(functions, release)

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    release.sleep = interrupted
    with pytest.raises(KeyboardInterrupt):
        release.release(new, Rollout(percent=10, bake_seconds=600))
    assert {functions.alias(name)["FunctionVersion"] for name in new} == {"1"}


def test_no_canary_starts_while_the_alarm_fires(
    functions: Functions, cloudwatch: Any, stage_resources: StageResources
) -> None:
    release, _ = _release(functions, cloudwatch, stage_resources)
    new = _first_release(functions, release)
    cloudwatch.set_alarm_state(
        AlarmName=stage_resources.outputs["ErrorAlarmName"], StateValue="ALARM", StateReason="x"
    )
    with pytest.raises(ReleaseRefused, match="before the release"):
        release.release(new, Rollout(percent=10, bake_seconds=600))
    for name in new:
        alias = functions.alias(name)
        assert alias["FunctionVersion"] == "1"
        assert not alias.get("RoutingConfig", {}).get("AdditionalVersionWeights")
