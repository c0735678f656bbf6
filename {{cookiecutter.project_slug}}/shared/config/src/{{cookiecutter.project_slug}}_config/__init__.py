"""Stage-aware settings and dependency wiring shared by every service."""

from .provider import Provider
from .settings import STAGE_PATTERN, ServiceSettings, SettingsError

__all__ = ["STAGE_PATTERN", "Provider", "ServiceSettings", "SettingsError"]
