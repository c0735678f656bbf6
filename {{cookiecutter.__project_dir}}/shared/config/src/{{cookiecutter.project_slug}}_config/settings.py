"""The settings of a service: the process environment first, then its stage's .env file.

Read and checked once, at start-up: a missing or malformed setting stops the
service with a message that names the variable, never later as a KeyError.

Plain frozen dataclasses and the standard library: the pydantic model they replace
cost each cold start about 0.4 s of import and each bundle 5 MB (issue 17).
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, dataclass_transform

from .env_file import EnvFileError, read_env_file
from .fields import CONSTRAINTS, Constraints, ConversionError, converter, setting, type_problems
from .secret import SecretStr

# Stage names end up in resource names, URLs and shell commands: keep them boring.
STAGE_PATTERN = r"^[a-z][a-z0-9-]{0,15}$"
ENV_PREFIX = "APP_"
# Where a local run finds its stage's .env file (`invoke secrets.fetch` writes it).
ENV_FILE_VARIABLE = "APP_ENV_FILE"

S = TypeVar("S", bound="ServiceSettings")


class SettingsError(ValueError):
    """A setting is missing or invalid. The message names settings, never their values."""


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(setting,))
class Settings:
    """Base of settings classes: each subclass is a frozen, keyword-only dataclass whose
    values are checked when it is built (types, Literal choices, `setting()` constraints)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)

    def __post_init__(self) -> None:
        problems = []
        hints = _type_hints(type(self))
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            found = type_problems(hints[item.name], value)
            constraints = item.metadata.get(CONSTRAINTS)
            if not found and isinstance(constraints, Constraints):
                found = constraints.problems(value)
            problems += [f"{variable_name(item.name)}: {message}" for message in found]
        if problems:
            raise SettingsError("invalid settings: " + "; ".join(problems))


class ServiceSettings(Settings):
    """What every service needs to know about the stage it runs in.

    Each field `name` is read from the variable `APP_<NAME>`; `.chalice/config.json`
    sets them per stage (`AWS_*` names are reserved by Lambda). Services subclass
    this to add their own settings (no decorator needed); secrets are typed
    `SecretStr` (this package's), which repr, str and logging show as `**********`.
    """

    stage: str = setting(pattern=STAGE_PATTERN)
    service: str = setting(min_length=1)
    region: str = setting(min_length=1)
    table_name: str = setting(min_length=1)
    # The service's change log ({{ cookiecutter.project_slug }}_data.ChangeLog), which its stream handler
    # writes; empty: `<table_name>-changes`, the name infra/stage.yaml gives it.
    change_log_table_name: str = ""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # The stage's Cognito user pool and the app clients (comma-separated) whose tokens
    # the service accepts; the deploy and `invoke dev` set them from infra's outputs.
    # Empty: routes that need a user answer 503, they never let anyone in.
    user_pool_id: str = ""
    user_pool_client_ids: str = ""
    jwt_leeway_seconds: int = setting(default=5, ge=0, le=300)
    # The stage's table of short-lived items (infra/stage.yaml SessionsTable). Empty:
    # requests with an Idempotency-Key answer 503 rather than run without the guarantee.
    sessions_table_name: str = ""
    # How long a response is replayed for its Idempotency-Key (1 minute to 7 days).
    idempotency_window_seconds: int = setting(default=24 * 60 * 60, ge=60, le=7 * 24 * 60 * 60)
    # The SQL projection's database (postgresql:// or sqlite:///); a secret, as it may
    # hold a password. Empty: the local SQLite file under `local_state_dir`, if set.
    database_url: SecretStr = SecretStr("")
    # A deployed stage's database (infra/stage.yaml HasSql): the secret RDS keeps its
    # credentials in, and RDS Proxy's endpoint; the engine reads the credentials when it
    # connects, so no password is in the environment. Wins over `database_url`.
    database_secret_arn: str = ""
    database_host: str = ""
    database_name: str = "app"
    # The stage's OpenSearch endpoint. Empty: SQLite FTS5 under `local_state_dir`, if set.
    search_url: str = ""
    # Where a local run keeps its SQLite database and search files (`invoke dev` sets
    # the project's .local-cloud, tests a folder of their own). With neither it nor
    # the URLs, SQL and search routes answer 503 and the projections skip: a Lambda
    # has no durable disk to fall back on.
    local_state_dir: str = ""

    @property
    def change_log_table(self) -> str:
        """The change log's table: `change_log_table_name`, or the one named after `table_name`."""
        return self.change_log_table_name or f"{self.table_name}-changes"

    @property
    def accepted_client_ids(self) -> frozenset[str]:
        """The app clients of `user_pool_client_ids`."""
        return frozenset(
            part.strip() for part in self.user_pool_client_ids.split(",") if part.strip()
        )


def variable_name(field_name: str) -> str:
    """The environment variable a field is read from."""
    return ENV_PREFIX + field_name.upper()


def load_settings(
    settings_class: type[S],
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
) -> S:
    """Build `settings_class` from `environ` (default: os.environ), then from `env_file`.

    A variable set in the environment wins over the same one in the file, which
    only fills gaps. `env_file` defaults to the path in APP_ENV_FILE, if set; a
    named file that does not exist is an error, as is a line it cannot parse.
    Every problem is reported at once, each naming its variable and never its value.
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
    hints = _type_hints(settings_class)
    values: dict[str, Any] = {}
    problems = []
    for item in dataclasses.fields(settings_class):
        variable = variable_name(item.name)
        if variable not in merged:
            if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
                problems.append(f"{variable}: missing")
            continue
        try:
            values[item.name] = converter(hints[item.name])(merged[variable])
        except ConversionError as error:
            problems.append(f"{variable}: {error}")
    if problems:
        raise SettingsError("invalid settings: " + "; ".join(problems))
    return settings_class(**values)


_HINTS: dict[type, dict[str, Any]] = {}


def _type_hints(settings_class: type) -> dict[str, Any]:
    # The annotations are strings (`from __future__ import annotations`): resolved once.
    hints = _HINTS.get(settings_class)
    if hints is None:
        hints = _HINTS[settings_class] = typing.get_type_hints(settings_class)
    return hints
