"""Stage-aware settings and dependency wiring shared by every service."""

from .env_file import EnvFileError, read_env_file, render_env_file
from .provider import Provider
from .settings import (
    ENV_FILE_VARIABLE,
    STAGE_PATTERN,
    ServiceSettings,
    SettingsError,
    load_settings,
)

__all__ = [
    "ENV_FILE_VARIABLE",
    "STAGE_PATTERN",
    "EnvFileError",
    "Provider",
    "ServiceSettings",
    "SettingsError",
    "load_settings",
    "read_env_file",
    "render_env_file",
]
