"""Moving a Lambda alias to a new version: all at once, or as a canary watched by the stage's alarm.

API Gateway and the event source mappings call the alias (`live`), never the bare
function, so the alias decides which version serves. A canary first gives the
new version a share of the alias's traffic (its RoutingConfig weight), watches
the stage's error alarm for the bake time, then moves the alias to it entirely;
if the alarm fires meanwhile, the alias goes back to the previous version alone
and the release fails. This drives the same two API calls on AWS and on moto, so
the shift and the rollback are tested locally; CodeDeploy, which does the same
on AWS, has no local emulator.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .project_config import StageConfig

ALIAS = "live"


class RolledBack(Exception):
    """The alarm fired during the bake; the aliases serve only the previous versions again."""


class ReleaseRefused(Exception):
    """The release did not start (the alarm already fires); nothing was changed."""


@dataclass(frozen=True)
class Rollout:
    """How a new version reaches users: `percent` of traffic for `bake_seconds`, then all of it.

    `percent` 100 (or no bake time) is all at once.
    """

    percent: int = 100
    bake_seconds: float = 0.0
    poll_seconds: float = 10.0

    @classmethod
    def for_stage(cls, stage: StageConfig) -> Rollout:
        """The stage's policy from invoke.yaml: `deployment: canary` or all at once."""
        if stage.deployment == "canary":
            return cls(percent=stage.canary_percent, bake_seconds=stage.canary_minutes * 60)
        return cls()

    @property
    def is_canary(self) -> bool:
        """Whether the new version first gets only a share of the traffic."""
        return self.percent < 100 and self.bake_seconds > 0


@dataclass
class Release:
    """Moves functions' aliases to new versions, reporting each step through `progress`."""

    lambda_client: Any
    cloudwatch: Any
    alarm_name: str
    progress: Callable[[str], None] = print
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def release(
        self, versions: Mapping[str, str], rollout: Rollout, alias: str = ALIAS
    ) -> dict[str, str | None]:
        """Point `alias` of each function at its new version (`versions`) as `rollout` says.

        A canary shifts every function together and bakes once. Returns each
        function's previous version (None where the alias is new). Raises
        RolledBack, every alias restored, when the alarm fires during the bake or
        the bake is interrupted, and ReleaseRefused, changing nothing, when the
        alarm fires before a canary starts.
        """
        previous = {function: self._current_version(function, alias) for function in versions}
        moving = {
            function: version
            for function, version in versions.items()
            if previous[function] not in (None, version)
        }
        if moving and rollout.is_canary and self._alarm_fires():
            raise ReleaseRefused(
                f"{self.alarm_name} is in ALARM before the release: fix or silence it first"
            )
        self.create_missing_aliases(versions, alias)
        for function, version in versions.items():
            if previous[function] == version:
                self.progress(f"{function}: {alias} already serves version {version}")
        if not moving:
            return previous
        if rollout.is_canary:
            for function, version in moving.items():
                self._route(
                    function, alias, str(previous[function]), {version: rollout.percent / 100}
                )
            self.progress(
                f"{len(moving)} function(s): the new version gets {rollout.percent}% of {alias} "
                f"for {rollout.bake_seconds:g} s, watching {self.alarm_name}"
            )
            try:
                self._bake(rollout)
            except BaseException:
                # The alarm fired, or the bake was interrupted (Ctrl-C, an API error):
                # the new versions must not keep their share of traffic unwatched.
                for function in moving:
                    self._route(function, alias, str(previous[function]))
                    self.progress(f"{function}: {alias} back on version {previous[function]} alone")
                raise
        for function, version in moving.items():
            self._route(function, alias, version)
            self.progress(
                f"{function}: {alias} moved from version {previous[function]} to {version}"
            )
        return previous

    def create_missing_aliases(self, versions: Mapping[str, str], alias: str = ALIAS) -> None:
        """Create `alias` on its version for each function that has none: a first release."""
        for function, version in versions.items():
            if self._current_version(function, alias) is None:
                self.lambda_client.create_alias(
                    FunctionName=function, Name=alias, FunctionVersion=version
                )
                self.progress(f"{function}: alias {alias} created on version {version}")

    def _bake(self, rollout: Rollout) -> None:
        deadline = self.clock() + rollout.bake_seconds
        while True:
            if self._alarm_fires():
                raise RolledBack(
                    f"{self.alarm_name} fired during the canary; the previous versions serve again"
                )
            remaining = deadline - self.clock()
            if remaining <= 0:
                return
            self.sleep(min(rollout.poll_seconds, remaining))

    def _current_version(self, function: str, alias: str) -> str | None:
        try:
            found = self.lambda_client.get_alias(FunctionName=function, Name=alias)
        except self.lambda_client.exceptions.ResourceNotFoundException:
            return None
        return str(found["FunctionVersion"])

    def _route(
        self, function: str, alias: str, version: str, extra: dict[str, float] | None = None
    ) -> None:
        self.lambda_client.update_alias(
            FunctionName=function,
            Name=alias,
            FunctionVersion=version,
            RoutingConfig={"AdditionalVersionWeights": extra or {}},
        )

    def _alarm_fires(self) -> bool:
        alarms = self.cloudwatch.describe_alarms(AlarmNames=[self.alarm_name])["MetricAlarms"]
        if not alarms:
            raise ReleaseRefused(f"the stage's alarm {self.alarm_name} does not exist")
        return bool(alarms[0]["StateValue"] == "ALARM")
