"""Stage-aware settings and dependency wiring shared by every service."""

from .env_file import EnvFileError, read_env_file, render_env_file
from .fields import setting
from .provider import Provider
from .secret import SecretStr
from .settings import (
    ENV_FILE_VARIABLE,
    STAGE_PATTERN,
    ServiceSettings,
    Settings,
    SettingsError,
    load_settings,
)

__all__ = [
    "ENV_FILE_VARIABLE",
    "STAGE_PATTERN",
    "EnvFileError",
    "Provider",
    "SecretStr",
    "ServiceSettings",
    "Settings",
    "SettingsError",
    "load_settings",
    "read_env_file",
    "render_env_file",
    "setting",
]
