"""The tasks build the commands they should, and refuse bad input before running any."""

from __future__ import annotations

import io

import pytest
from invoke import Config, MockContext, Result
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit.stage_secrets import secret_name

from devtasks import (
    auth,
    deployment,
    layout,
    local_cloud,
    packaging,
    quality,
    secrets,
    testing,
)
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


@pytest.mark.parametrize("stage", HOSTILE_STAGES)
@pytest.mark.parametrize("action", ["fetch", "list", "diff", "set", "unset"])
def test_secrets_tasks_refuse_a_bad_stage_before_running_anything(
    invoke_config: Config, stage: str, action: str
) -> None:
    task = secrets.ns.tasks[action]
    arguments = {"key": "API_KEY"} if action in ("set", "unset") else {}
    with pytest.raises(Exit):
        task(MockContext(config=invoke_config), stage=stage, **arguments)


@pytest.mark.parametrize("key", ["", "1KEY", "KEY;rm", "A B", "$(id)", "K" * 200])
def test_secrets_set_refuses_a_bad_key(invoke_config: Config, key: str) -> None:
    stage = next(iter(invoke_config.stages))
    with pytest.raises(Exit, match="not a valid variable name"):
        secrets.set_key(MockContext(config=invoke_config), stage=stage, key=key)


def _protected_stage(invoke_config: Config) -> str:
    protected = [name for name, stage in invoke_config.stages.items() if stage["protected"]]
    assert protected, "the project is expected to have a protected stage"
    return str(protected[0])


def test_protected_stage_writes_need_confirmation(invoke_config: Config) -> None:
    stage = _protected_stage(invoke_config)
    for change in (secrets.set_key, secrets.unset_key):
        with pytest.raises(Exit, match="--confirm"):
            change(MockContext(config=invoke_config), stage=stage, key="API_KEY")


def test_deploy_and_teardown_of_a_protected_stage_need_confirmation(
    invoke_config: Config,
) -> None:
    # A MockContext without results fails on any command: the refusal comes first.
    stage = _protected_stage(invoke_config)
    with pytest.raises(Exit, match=f"Stage {stage} is protected: add --confirm to deploy it"):
        deployment.deploy(MockContext(config=invoke_config), stage=stage)
    with pytest.raises(Exit, match=f"Stage {stage} is protected: add --confirm to tear it down"):
        deployment.teardown(MockContext(config=invoke_config), stage=stage)


def test_confirmed_set_passes_the_value_on_stdin_only(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = _protected_stage(invoke_config)
    monkeypatch.setattr("sys.stdin", io.StringIO("the-secret-value\n"))
    prefix, slug = invoke_config.project.prefix, invoke_config.project.slug
    region = invoke_config.stages[stage]["region"]
    expected = (
        f"{layout.venv_bin('python')} -m {slug}_devkit.secrets_cli set "
        f"--secret-id {prefix}/{stage} --region {region} API_KEY"
    )
    context = MockContext(config=invoke_config, run={expected: Result()})
    secrets.set_key(context, stage=stage, key="API_KEY", confirm=True)
    call = context.run.call_args  # type: ignore[attr-defined]
    assert call.args == (expected,)
    assert call.kwargs["in_stream"].read() == "the-secret-value\n"
    assert call.kwargs["echo_stdin"] is False


def test_tasks_and_devkit_name_the_stage_secret_alike(invoke_config: Config) -> None:
    context = MockContext(config=invoke_config)
    for stage in invoke_config.stages:
        assert secrets.secret_id(context, stage) == secret_name(invoke_config.project.prefix, stage)


@pytest.mark.parametrize("stage", [stage for stage in HOSTILE_STAGES if stage])
@pytest.mark.parametrize("action", ["up", "reset"])
def test_local_cloud_tasks_refuse_a_bad_stage(
    invoke_config: Config, stage: str, action: str
) -> None:
    with pytest.raises(Exit):
        local_cloud.ns.tasks[action](MockContext(config=invoke_config), stage=stage)


@pytest.mark.parametrize("user", ["", "a b", "x;id", "$(id)", "u" * 200, "al\nice"])
def test_auth_tasks_refuse_a_bad_user_name_before_running_anything(
    invoke_config: Config, user: str
) -> None:
    stage = next(iter(invoke_config.stages))
    for task, arguments in (
        (auth.token, {}),
        (auth.remove_user, {}),
        (auth.add_user, {"email": "a@example.com"}),
    ):
        with pytest.raises(Exit):
            task(MockContext(config=invoke_config), stage=stage, user=user, **arguments)


def test_auth_users_on_a_protected_stage_need_confirmation(invoke_config: Config) -> None:
    protected = [name for name, stage in invoke_config.stages.items() if stage["protected"]]
    if not protected:
        pytest.skip("this project has no protected stage")
    context = MockContext(config=invoke_config)
    for stage in protected:
        with pytest.raises(Exit, match="--confirm"):
            auth.remove_user(context, stage=stage, user="alice")
        with pytest.raises(Exit, match="--confirm"):
            auth.add_user(context, stage=stage, user="alice", email="a@example.com")


def test_auth_token_passes_the_password_on_stdin_only(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "correct horse battery staple"  # pragma: allowlist secret
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    stage = next(iter(invoke_config.stages))
    context = MockContext(config=invoke_config, run=Result())
    auth.token(context, stage=stage, user="alice")
    (command,) = [call.args[0] for call in context.run.call_args_list]  # type: ignore[attr-defined]
    assert password not in command
    assert context.run.call_args.kwargs["in_stream"].getvalue() == password  # type: ignore[attr-defined]
