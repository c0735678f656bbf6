"""The settings of a service: the process environment first, then its stage's .env file.

Read and checked once, at start-up: a missing or malformed setting stops the
service with a message that names the variable, never later as a KeyError.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .env_file import EnvFileError, read_env_file

# Stage names end up in resource names, URLs and shell commands: keep them boring.
STAGE_PATTERN = r"^[a-z][a-z0-9-]{0,15}$"
ENV_PREFIX = "APP_"
# Where a local run finds its stage's .env file (`invoke secrets.fetch` writes it).
ENV_FILE_VARIABLE = "APP_ENV_FILE"

S = TypeVar("S", bound="ServiceSettings")


class SettingsError(ValueError):
    """A setting is missing or invalid. The message names settings, never their values."""


class ServiceSettings(BaseModel):
    """What every service needs to know about the stage it runs in.

    Each field `name` is read from the variable `APP_<NAME>`; `.chalice/config.json`
    sets them per stage (`AWS_*` names are reserved by Lambda). Services subclass
    this to add their own settings; secrets are typed `pydantic.SecretStr`, which
    repr, str and logging show as `**********`.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = Field(pattern=STAGE_PATTERN)
    service: str = Field(min_length=1)
    region: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # The stage's Cognito user pool and the app clients (comma-separated) whose tokens
    # the service accepts; the deploy and `invoke dev` set them from infra's outputs.
    # Empty: routes that need a user answer 503, they never let anyone in.
    user_pool_id: str = ""
    user_pool_client_ids: str = ""
    jwt_leeway_seconds: int = Field(default=5, ge=0, le=300)

    @property
    def accepted_client_ids(self) -> frozenset[str]:
        """The app clients of `user_pool_client_ids`."""
        return frozenset(
            part.strip() for part in self.user_pool_client_ids.split(",") if part.strip()
        )


def load_settings(
    settings_class: type[S],
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
) -> S:
    """Build `settings_class` from `environ` (default: os.environ), then from `env_file`.

    A variable set in the environment wins over the same one in the file, which
    only fills gaps. `env_file` defaults to the path in APP_ENV_FILE, if set; a
    named file that does not exist is an error, as is a line it cannot parse.
    """
    env = os.environ if environ is None else environ
    if env_file is None and env.get(ENV_FILE_VARIABLE):
        env_file = Path(env[ENV_FILE_VARIABLE])
    from_file: dict[str, str] = {}
    if env_file is not None:
        try:
            from_file = read_env_file(env_file)
        except FileNotFoundError as error:
            raise SettingsError(f"{ENV_FILE_VARIABLE}: no file {env_file}") from error
        except EnvFileError as error:
            raise SettingsError(str(error)) from error
    merged = {**from_file, **env}
    values = {
        name: merged[variable]
        for name in settings_class.model_fields
        if (variable := ENV_PREFIX + name.upper()) in merged
    }
    try:
        return settings_class.model_validate(values)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    # Only locations and pydantic's messages: `input` could be a secret.
    problems = [
        f"{ENV_PREFIX}{'.'.join(str(part) for part in item['loc']).upper()}: "
        f"{'missing' if item['type'] == 'missing' else item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    ]
    return "invalid settings: " + "; ".join(problems)
