"""The settings a service reads from its environment, checked once at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Stage names end up in resource names, URLs and shell commands: keep them boring.
STAGE_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,15}")

_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


class SettingsError(ValueError):
    """A required setting is missing or has a value the service cannot use."""


@dataclass(frozen=True)
class ServiceSettings:
    """What a service needs to know about the stage it runs in.

    `.chalice/config.json` sets these per stage as `APP_*` environment variables;
    the names avoid `AWS_*`, which Lambda reserves.
    """

    stage: str
    service: str
    region: str
    table_name: str
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if not STAGE_PATTERN.fullmatch(self.stage):
            raise SettingsError(f"APP_STAGE {self.stage!r} must match {STAGE_PATTERN.pattern}")
        if self.log_level not in _LOG_LEVELS:
            raise SettingsError(
                f"APP_LOG_LEVEL {self.log_level!r} must be one of {sorted(_LOG_LEVELS)}"
            )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        """Read the settings from `environ` (default: the process environment).

        Raises SettingsError naming every missing variable, so a misconfigured
        function fails at its first request with a readable reason.
        """
        env = os.environ if environ is None else environ
        required = ("APP_STAGE", "APP_SERVICE", "APP_REGION", "APP_TABLE_NAME")
        missing = [name for name in required if not env.get(name)]
        if missing:
            raise SettingsError(f"missing setting(s): {', '.join(missing)}")
        return cls(
            stage=env["APP_STAGE"],
            service=env["APP_SERVICE"],
            region=env["APP_REGION"],
            table_name=env["APP_TABLE_NAME"],
            log_level=env.get("APP_LOG_LEVEL", "INFO").upper(),
        )
