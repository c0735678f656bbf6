"""The tasks build the commands they should, and refuse bad input before running any."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from invoke import Config, MockContext, Result
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit import auth_users, local_cloud_engine
from {{ cookiecutter.project_slug }}_devkit.project_config import load_project_config
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


def _commands_run(context: MockContext) -> list[str]:
    # The suites run side by side: in no particular order.
    return sorted(call.args[0] for call in context.run.call_args_list)  # type: ignore[attr-defined]


def test_test_task_runs_each_service_in_its_own_process(invoke_config: Config) -> None:
    python = layout.venv_bin("python")
    expected = [
        f"{python} -m pytest -m 'not integration' -o pythonpath=services/{name} services/{name}"
        for name in layout.service_names()
    ] + [f"{python} -m pytest -m 'not integration' -n auto --dist loadfile tests"]
    context = MockContext(config=invoke_config, run={command: Result() for command in expected})
    testing.run_tests(context, marker="not integration")
    assert _commands_run(context) == sorted(expected)


def test_fast_runs_every_suite_on_the_quick_tier_in_one_process_each(
    invoke_config: Config,
) -> None:
    python = layout.venv_bin("python")
    quick = "-m '(not slow and not packaging) and (not integration)'"
    expected = [
        f"{python} -m pytest {quick} -o pythonpath=services/{name} services/{name}"
        for name in layout.service_names()
    ] + [f"{python} -m pytest {quick} tests"]
    context = MockContext(config=invoke_config, run={command: Result() for command in expected})
    testing.run_tests(context, fast=True, marker="not integration")
    assert _commands_run(context) == sorted(expected)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ""),
        ({"fast": True}, " -m 'not slow and not packaging'"),
        ({"marker": "not integration"}, " -m 'not integration'"),
        ({"integration_only": True}, " -m integration"),
        (
            {"fast": True, "integration_only": True, "keyword": "auth"},
            " -m '(integration) and (not slow and not packaging)' -k auth",
        ),
    ],
)
def test_the_tier_the_engine_and_the_selection_add_up(
    options: dict[str, Any], expected: str
) -> None:
    wanted = {"marker": "", "keyword": "", "fast": False, "integration_only": False, **options}
    assert testing.selection(**wanted) == expected


def test_test_task_reports_the_failing_suites_side_by_side(invoke_config: Config) -> None:
    python = layout.venv_bin("python")
    first, *others = layout.service_names()
    results = {f"{python} -m pytest -m 'not slow and not packaging' tests": Result(exited=1)}
    results[f"{python} -m pytest -m 'not slow and not packaging' -o pythonpath=services/{first} "
            f"services/{first}"] = Result(exited=2)  # fmt: skip
    for name in others:
        command = (f"{python} -m pytest -m 'not slow and not packaging' -o pythonpath=services/"
                   f"{name} services/{name}")  # fmt: skip
        results[command] = Result(exited=testing.NO_TESTS_COLLECTED)
    with pytest.raises(Exit, match=f"Tests failed in: tests, {first}[.]"):
        testing.run_tests(MockContext(config=invoke_config, run=results), fast=True)


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


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a secrets task builds a client or reads the value to store."""

    def refuse(*args: object) -> None:
        raise AssertionError("reached AWS or standard input before refusing")

    monkeypatch.setattr(secrets, "secrets_client", refuse)
    monkeypatch.setattr("sys.stdin", _Unreadable())


class _Unreadable(io.StringIO):
    def isatty(self) -> bool:
        return False

    def read(self, size: int | None = -1) -> str:
        raise AssertionError("read standard input before refusing")


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize("stage", HOSTILE_STAGES)
@pytest.mark.parametrize("action", ["fetch", "list", "diff", "set", "unset"])
def test_secrets_tasks_refuse_a_bad_stage_before_running_anything(
    invoke_config: Config, stage: str, action: str
) -> None:
    # A MockContext without expected commands raises on any c.run.
    task = secrets.ns.tasks[action]
    arguments = {"key": "API_KEY"} if action in ("set", "unset") else {}
    with pytest.raises(Exit) as refused:
        task(MockContext(config=invoke_config), stage=stage, **arguments)
    assert refused.value.code == 1


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize("key", ["", "1KEY", "KEY;rm", "A B", "$(id)", "K" * 200])
def test_secrets_set_refuses_a_bad_key(invoke_config: Config, key: str) -> None:
    stage = next(iter(invoke_config.stages))
    with pytest.raises(Exit, match="not a valid variable name"):
        secrets.set_key(MockContext(config=invoke_config), stage=stage, key=key)


def _protected_stage(invoke_config: Config) -> str:
    protected = [name for name, stage in invoke_config.stages.items() if stage["protected"]]
    assert protected, "the project is expected to have a protected stage"
    return str(protected[0])


@pytest.mark.usefixtures("no_aws")
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


def _stubbed_secrets(monkeypatch: pytest.MonkeyPatch, region: str) -> Stubber:
    """Make the secrets tasks' client a stubbed one of `region`; any other region fails."""
    client = boto3.client("secretsmanager", region_name=region)
    stub = Stubber(client)

    def secrets_client(asked: str) -> Any:
        assert asked == region
        return client

    monkeypatch.setattr(secrets, "secrets_client", secrets_client)
    return stub


def test_confirmed_set_passes_the_value_on_stdin_only(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stage = _protected_stage(invoke_config)
    name = secret_name(invoke_config.project.prefix, stage)
    monkeypatch.setattr("sys.stdin", io.StringIO("the-secret-value\n"))
    stub = _stubbed_secrets(monkeypatch, invoke_config.stages[stage]["region"])
    stub.add_response(
        "get_secret_value",
        {"Name": name, "SecretString": json.dumps({"OTHER": "kept"})},
        {"SecretId": name},
    )
    # The value reaches the store from standard input, without echo's newline.
    stored = json.dumps({"API_KEY": "the-secret-value", "OTHER": "kept"}, sort_keys=True)
    stub.add_response(
        "put_secret_value", {"Name": name}, {"SecretId": name, "SecretString": stored}
    )
    # A MockContext without expected commands raises on any c.run: no command is run.
    with stub:
        secrets.set_key(MockContext(config=invoke_config), stage=stage, key="API_KEY", confirm=True)
        stub.assert_no_pending_responses()
    output = capsys.readouterr()
    assert output.out == f"set API_KEY in {name}\n"
    assert "the-secret-value" not in output.out + output.err


def test_secrets_failures_are_one_line_and_code_1(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = next(iter(invoke_config.stages))
    stub = _stubbed_secrets(monkeypatch, invoke_config.stages[stage]["region"])
    stub.add_client_error("get_secret_value", "AccessDeniedException", http_status_code=400)
    with stub, pytest.raises(Exit) as refused:
        secrets.list_keys(MockContext(config=invoke_config), stage=stage)
    assert refused.value.code == 1
    assert refused.value.message == (
        f"secrets list: access to {secrets.secret_id(MockContext(config=invoke_config), stage)} "
        "denied (AccessDeniedException)"
    )


def test_tasks_and_devkit_name_the_stage_secret_alike(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The secret the tasks use is the one packaging and deploy read (devkit's config).
    project = load_project_config(layout.ROOT)
    context = MockContext(config=invoke_config)
    for stage in invoke_config.stages:
        name = secret_name(project.prefix, stage)
        assert secrets.secret_id(context, stage) == name
        stub = _stubbed_secrets(monkeypatch, project.stages[stage].region)
        stub.add_response(
            "get_secret_value",
            {"Name": name, "SecretString": json.dumps({"A_KEY": "v"})},
            {"SecretId": name},
        )
        with stub:
            secrets.list_keys(context, stage=stage)
            stub.assert_no_pending_responses()
        assert capsys.readouterr().out == "A_KEY\n"


def test_localstack_runs_the_suites_on_one_local_cloud_started_for_the_run(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, Any]] = []

    def up(project: Any, state_dir: Path, *options: Any) -> list[str]:
        calls.append(("up", (state_dir, *options)))
        return ["localstack up"]

    def down(project: Any, state_dir: Path) -> list[str]:
        calls.append(("down", state_dir))
        return ["stopped"]

    monkeypatch.setattr(local_cloud_engine, "up", up)
    monkeypatch.setattr(local_cloud_engine, "down", down)
    python, name = layout.venv_bin("python"), layout.service_names()[0]
    suite = (
        f"{python} -m pytest -m integration -o pythonpath=services/{name} services/{name} "
        f"--local-cloud-state {testing.TEST_CLOUD}"
    )

    def run(command: str, **options: Any) -> Result:
        calls.append(("run", command))
        return Result(exited=1)

    context = MockContext(config=invoke_config)
    monkeypatch.setattr(context, "run", run)
    with pytest.raises(Exit, match=f"Tests failed in: {name}"):
        testing.run_tests(context, service=name, engine="localstack")
    # No stage, free ports (0), Python found on PATH or pyenv; stopped even when tests fail.
    assert calls == [
        ("up", (Path(testing.TEST_CLOUD), "localstack", "", 0, 0)),
        ("run", suite),
        ("down", Path(testing.TEST_CLOUD)),
    ]


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


def test_auth_token_hands_the_piped_password_to_the_devkit_only(
    invoke_config: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    password = "correct horse battery staple"  # pragma: allowlist secret
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(auth_users, "cognito_client", lambda *args: "cognito")

    def sign_in(*args: Any) -> str:
        calls.append(args)
        return "the-token"

    monkeypatch.setattr(auth_users, "token", sign_in)
    stage = next(iter(invoke_config.stages))
    # A MockContext without expected commands raises on any c.run: no command is run.
    auth.token(MockContext(config=invoke_config), stage=stage, user="alice", use="id")
    ((cognito, project, *arguments),) = calls
    assert (cognito, project.prefix) == ("cognito", invoke_config.project.prefix)
    assert arguments == [stage, "alice", password + "\n", "id"]
    output = capsys.readouterr()
    assert output.out == "the-token\n"
    assert password not in output.out + output.err
