"""Settings: the environment first, then .env.<stage>; typed, checked, secrets hidden."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_config import (
    EnvFileError,
    SecretStr,
    ServiceSettings,
    SettingsError,
    load_settings,
    render_env_file,
)

BASE = {
    "APP_STAGE": "dev",
    "APP_SERVICE": "notes",
    "APP_REGION": "eu-west-1",
    "APP_TABLE_NAME": "acme-dev-notes",
}


class WithSecret(ServiceSettings):
    api_key: SecretStr


def test_the_environment_wins_and_the_file_fills_gaps(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.dev"
    env_file.write_text("APP_TABLE_NAME=from-file\nAPP_LOG_LEVEL=DEBUG\n")
    settings = load_settings(ServiceSettings, environ=BASE, env_file=env_file)
    assert settings.table_name == "acme-dev-notes"
    assert settings.log_level == "DEBUG"


def test_the_env_file_variable_names_the_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.dev"
    env_file.write_text("APP_LOG_LEVEL=WARNING\n")
    settings = load_settings(ServiceSettings, environ={**BASE, "APP_ENV_FILE": str(env_file)})
    assert settings.log_level == "WARNING"


def test_a_missing_setting_is_named_at_start_up() -> None:
    environ = {key: value for key, value in BASE.items() if key != "APP_TABLE_NAME"}
    with pytest.raises(SettingsError, match="APP_TABLE_NAME: missing"):
        load_settings(ServiceSettings, environ=environ)


def test_an_invalid_value_is_named_without_echoing_it() -> None:
    with pytest.raises(SettingsError) as invalid:
        load_settings(ServiceSettings, environ={**BASE, "APP_STAGE": "Bad Stage!"})
    assert "APP_STAGE" in str(invalid.value)
    assert "Bad Stage!" not in str(invalid.value)


def test_a_named_env_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="APP_ENV_FILE"):
        load_settings(ServiceSettings, environ={**BASE, "APP_ENV_FILE": str(tmp_path / "nope")})


def test_an_unparsable_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.dev"
    env_file.write_text("APP_LOG_LEVEL=INFO\n# fine\nAPI_KEY='unterminated s3cr3t\n")
    with pytest.raises(SettingsError, match="line 3") as bad:
        load_settings(ServiceSettings, environ=BASE, env_file=env_file)
    assert "s3cr3t" not in str(bad.value)


def test_secrets_never_show_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(WithSecret, environ={**BASE, "APP_API_KEY": "hunter2-value"})
    logging.getLogger("test").warning("settings: %s %r", settings, settings)
    assert settings.api_key.get_secret_value() == "hunter2-value"
    for shown in (repr(settings), str(settings), caplog.text):
        assert "hunter2-value" not in shown


def test_keys_that_are_not_variable_names_are_refused() -> None:
    with pytest.raises(EnvFileError):
        render_env_file({"BAD KEY": "x"})


def test_every_problem_is_named_at_once_without_its_value() -> None:
    environ = {
        **BASE,
        "APP_LOG_LEVEL": "LOUD-value",
        "APP_JWT_LEEWAY_SECONDS": "many-value",
        "APP_REGION": "",
    }
    with pytest.raises(SettingsError) as invalid:
        load_settings(ServiceSettings, environ=environ)
    message = str(invalid.value)
    assert "APP_JWT_LEEWAY_SECONDS: Input should be a valid integer" in message
    assert "many-value" not in message
    with pytest.raises(SettingsError) as invalid:
        load_settings(ServiceSettings, environ={**environ, "APP_JWT_LEEWAY_SECONDS": "301"})
    message = str(invalid.value)
    assert "APP_LOG_LEVEL: Input should be 'DEBUG'" in message
    assert "APP_REGION: String should have at least 1 character" in message
    assert "APP_JWT_LEEWAY_SECONDS: Input should be less than or equal to 300" in message
    assert "LOUD-value" not in message


def test_settings_built_in_code_are_checked_too() -> None:
    settings = ServiceSettings(stage="dev", service="s", region="r", table_name="t")
    assert settings.jwt_leeway_seconds == 5
    with pytest.raises(SettingsError, match="APP_STAGE: String should match pattern"):
        ServiceSettings(stage="Bad Stage!", service="s", region="r", table_name="t")
    with pytest.raises(SettingsError, match="APP_TABLE_NAME"):
        dataclasses.replace(settings, table_name="")
    assert dataclasses.replace(settings, user_pool_id="p").user_pool_id == "p"


def test_a_subclass_adds_settings_without_a_decorator() -> None:
    settings = load_settings(
        WithSecret, environ={**BASE, "APP_API_KEY": "k", "APP_USER_POOL_CLIENT_IDS": "a, b,"}
    )
    assert isinstance(settings, ServiceSettings)
    assert settings.accepted_client_ids == frozenset({"a", "b"})
    with pytest.raises(SettingsError, match="APP_API_KEY: missing"):
        load_settings(WithSecret, environ=BASE)
    with pytest.raises(AttributeError):
        settings.stage = "prod"  # type: ignore[misc]
