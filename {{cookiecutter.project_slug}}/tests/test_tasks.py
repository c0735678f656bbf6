"""The tasks build the commands they should, and refuse bad input before running any."""

from __future__ import annotations

import pytest
from invoke import Config, MockContext, Result
from invoke.exceptions import Exit

from devtasks import layout, packaging, quality, testing
from devtasks.stages import checked_stage

HOSTILE_STAGES = ["../x", "dev;rm -rf /", "", "DEV", "a" * 100, "dév", "dev\n", "$(id)"]


@pytest.mark.parametrize("stage", HOSTILE_STAGES)
def test_hostile_stage_names_are_refused_listing_the_stages(
    invoke_config: Config, stage: str
) -> None:
    context = MockContext(config=invoke_config)
    with pytest.raises(Exit) as refused:
        checked_stage(context, stage)
    assert refused.value.code == 1
    assert ", ".join(invoke_config.stages) in str(refused.value.message)


@pytest.mark.parametrize("stage", HOSTILE_STAGES)
def test_package_refuses_a_bad_stage_before_running_anything(
    invoke_config: Config, stage: str
) -> None:
    # A MockContext without expected commands raises on any c.run.
    context = MockContext(config=invoke_config)
    with pytest.raises(Exit):
        packaging.package(context, stage=stage)


def test_every_stage_of_invoke_yaml_is_accepted(invoke_config: Config) -> None:
    context = MockContext(config=invoke_config)
    for stage in invoke_config.stages:
        assert checked_stage(context, stage) == stage


def test_mypy_checks_each_service_on_its_own() -> None:
    commands = quality.mypy_commands()
    services = layout.service_names()
    assert len(commands) == 1 + len(services)
    for name, command in zip(services, commands[1:], strict=True):
        assert command.endswith(f"--cache-dir .mypy_cache/{name} services/{name}")


def test_test_task_runs_each_service_in_its_own_process(invoke_config: Config) -> None:
    python = layout.venv_bin("python")
    expected = [
        f"{python} -m pytest -m 'not integration' -o pythonpath=services/{name} services/{name}"
        for name in layout.service_names()
    ] + [f"{python} -m pytest -m 'not integration' tests"]
    context = MockContext(config=invoke_config, run={command: Result() for command in expected})
    testing.run_tests(context, marker="not integration")
    assert [call.args[0] for call in context.run.call_args_list] == expected  # type: ignore[attr-defined]


def test_test_task_reports_the_failing_suites(invoke_config: Config) -> None:
    python = layout.venv_bin("python")
    name = layout.service_names()[0]
    context = MockContext(
        config=invoke_config,
        run={f"{python} -m pytest -o pythonpath=services/{name} services/{name}": Result(exited=1)},
    )
    with pytest.raises(Exit, match=f"Tests failed in: {name}"):
        testing.run_tests(context, service=name)


def test_unknown_service_is_refused(invoke_config: Config) -> None:
    with pytest.raises(Exit, match="Unknown service 'nope'"):
        testing.run_tests(MockContext(config=invoke_config), service="nope")
