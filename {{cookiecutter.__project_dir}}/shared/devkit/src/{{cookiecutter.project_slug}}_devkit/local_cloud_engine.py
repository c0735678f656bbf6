"""The local cloud in the background, one per project: what `invoke local.*` and `invoke dev` run.

Engine moto is one moto server (`python -m moto.server`). Engine localstack is
LocalStack (its Docker image when a Docker engine answers, else its open-source
runtime on the host) with a moto server beside it for the services LocalStack
cannot serve in that mode. The state file in the state folder lets a second `up`
see the first, and `down` stop it. Each action returns the lines to print; what
cannot be done raises LocalCloudError (or RuntimeNotFound, ProvisioningError,
OSError) with a one-line message.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .local_cloud import LocalEndpoints
from .local_cloud_state import (
    PASSWORDS_FILE,
    STATE_FILE,
    LocalCloudNotRunning,
    LocalCloudState,
    Process,
    answers,
    forget_passwords,
    read_state,
    record_passwords,
    require_running,
)
from .local_users import ensure_users
from .localstack_runtime import (
    DOCKER_IMAGE,
    docker_answers,
    docker_environment,
    engine_environment,
    ensure_venv,
    find_python,
    venv_python,
)
from .ports import free_port_run, port_is_free
from .project_config import ProjectConfig
from .stacks import Progress
from .stage_resources import StageResources, provision_stage
from .stage_secrets import secret_name

READY_SECONDS = 60.0
MOTO_HEALTH = "/moto-api/"
LOCALSTACK_HEALTH = "/_localstack/health"
# What LocalStack cannot serve without Docker, and with Docker (open-source image).
# Without Docker its Lambda functions never become Active, so functions go to moto,
# with IAM beside them: moto's Lambda accepts only roles its own IAM holds.
MOTO_SERVES_BESIDE_HOST_RUNTIME = (
    "dynamodb",
    "dynamodbstreams",
    "cognito-idp",
    "cognito-identity",
    "lambda",
    "iam",
)
MOTO_SERVES_BESIDE_CONTAINER = ("cognito-idp", "cognito-identity")


class LocalCloudError(Exception):
    """The local cloud cannot do what was asked; the message says why."""


def say(line: str) -> None:
    """Print a line of progress at once (a child process may write to the same terminal)."""
    print(line, flush=True)


def _start(name: str, command: list[str], port: int, health: str, state_dir: Path,
           env: dict[str, str] | None = None) -> Process:  # fmt: skip
    """Start `command` in its own process group, logging to DIR/<name>.log, until it answers.

    The log is written afresh at each start: moto's server logs every request.
    """
    if not port_is_free(port):
        raise LocalCloudError(f"port {port} on 127.0.0.1 is in use; pass --port / --moto-port")
    log_path = state_dir / f"{name}.log"
    with log_path.open("wb") as log:
        child = subprocess.Popen(
            command, stdout=log, stderr=log, start_new_session=True, env=env, cwd=state_dir
        )
    process = Process(name=name, pid=child.pid, port=port, health_path=health)
    deadline = time.monotonic() + READY_SECONDS
    try:
        while not answers(f"http://127.0.0.1:{port}{health}"):
            if child.poll() is not None or time.monotonic() > deadline:
                raise LocalCloudError(f"{name} did not start; see {log_path}")
            time.sleep(0.05)
    except BaseException:
        # Also on Ctrl-C: the child has its own process group, which no terminal signals.
        _stop_group(process)
        raise
    return process


def _moto(port: int, state_dir: Path) -> Process:
    # moto's own server; it stops on SIGTERM.
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return _start("moto", command, port, MOTO_HEALTH, state_dir)


def _start_moto_engine(port: int, state_dir: Path) -> LocalCloudState:
    process = _moto(port, state_dir)
    return LocalCloudState("moto", "host", f"http://127.0.0.1:{port}", {}, [process])


def _start_localstack(
    project: ProjectConfig, state_dir: Path, port: int, moto_port: int, python: str,
    progress: Progress,
) -> LocalCloudState:  # fmt: skip
    for taken in (port, moto_port):
        if not port_is_free(taken):
            raise LocalCloudError(f"port {taken} on 127.0.0.1 is in use; pass --port / --moto-port")
    interpreter, version = find_python(python)
    progress(f"LocalStack: Python {version[0]}.{version[1]} at {interpreter}")
    uv = str(Path(sys.executable).with_name("uv"))
    runtime = ensure_venv(project.root, interpreter, uv, say=progress)
    endpoint = f"http://127.0.0.1:{port}"
    env = engine_environment(port)
    if docker_answers():
        container = f"{project.prefix}-localstack"
        env = docker_environment(port, container)
        progress(f"LocalStack: Docker answers; starting {DOCKER_IMAGE} as {container}")
        cli = str(runtime.with_name("localstack"))
        started = subprocess.run([cli, "start", "--detached"], env=env, capture_output=True,
                                 text=True, check=False)  # fmt: skip
        if started.returncode != 0:
            raise LocalCloudError(f"`localstack start` failed: {started.stderr.strip()[-300:]}")
        subprocess.run([cli, "wait", "-t", str(int(READY_SECONDS))], env=env, check=False)
        moto = _moto(moto_port, state_dir)
        routed = dict.fromkeys(MOTO_SERVES_BESIDE_CONTAINER, f"http://127.0.0.1:{moto_port}")
        return LocalCloudState("localstack", "docker", endpoint, routed, [moto], container)
    progress("LocalStack: no Docker engine answers; running the open-source runtime on the host")
    moto = _moto(moto_port, state_dir)
    try:
        localstack = _start(
            "localstack",
            [str(runtime), "-m", "localstack.runtime.main"],
            port,
            LOCALSTACK_HEALTH,
            state_dir,
            env,
        )
    except BaseException:
        _stop_group(moto)
        raise
    routed = dict.fromkeys(MOTO_SERVES_BESIDE_HOST_RUNTIME, f"http://127.0.0.1:{moto_port}")
    return LocalCloudState("localstack", "host", endpoint, routed, [localstack, moto])


def provision(
    endpoints: LocalEndpoints, project: ProjectConfig, stage: str, state_dir: Path | None = None
) -> tuple[StageResources, list[str]]:
    """Ensure the stage's resources, its secret and the seeded users; say what there is.

    With `state_dir`, the passwords of the users made now are recorded there (0600)
    for `invoke auth.token`; the returned lines hold them too, for `local.up` to print.
    """
    if stage not in project.stages:
        raise LocalCloudError(
            f"unknown stage {stage!r}; the stages are: {', '.join(project.stages)}"
        )
    region = project.stages[stage].region

    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in made:
            made[service] = endpoints.client(service, region)
        return made[service]

    resources = provision_stage(project, stage, lambda service: client(service))
    lines = [f"stage {stage}: tables {', '.join(resources.table_names)}"]
    pool_id = resources.outputs.get("UserPoolId")
    if pool_id:
        client_id = resources.outputs.get("UserPoolClientId", "")
        lines.append(f"user pool {pool_id}, app client {client_id}")
        passwords: dict[str, str] = {}
        users = ensure_users(client("cognito-idp"), pool_id, project.local_cloud.users, passwords)
        lines.extend(f"  {line}" for line in users)
        if state_dir is not None and passwords:
            record_passwords(state_dir, stage, passwords)
            where = state_dir / PASSWORDS_FILE
            lines.append(f"  passwords recorded in {where} (0600) for `invoke auth.token`")
    if "StageSecretArn" in resources.outputs:
        lines.append(f"secret {secret_name(project.prefix, stage)} (`invoke secrets.set` fills it)")
    if resources.skipped:
        lines.append(f"not built locally: {', '.join(resources.skipped)}")
    return resources, lines


def start(
    project: ProjectConfig, state_dir: Path, engine: str, port: int, moto_port: int,
    python: str = "", progress: Progress = say,
) -> LocalCloudState:  # fmt: skip
    """Start the engine in the background and record it in `state_dir`; provision nothing.

    What `up` and `invoke dev` (when no local cloud runs) do. Port 0 (either one):
    any free ones. Nothing is left running when it fails or is interrupted.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    # A new local cloud has new users: passwords recorded for an earlier one are void.
    forget_passwords(state_dir)
    if not port or not moto_port:
        # Port 0: any free ones (test runs beside a developer's own local cloud).
        port, moto_port = free_port_run(2)
    if engine == "moto":
        state = _start_moto_engine(port, state_dir)
    else:
        state = _start_localstack(project, state_dir, port, moto_port, python, progress)
    try:
        state.write(state_dir)
    except BaseException:
        _stop(project, state)
        raise
    return state


def stop(project: ProjectConfig, state: LocalCloudState, state_dir: Path) -> None:
    """Stop the local cloud and forget it: its state and its users' passwords."""
    _stop(project, state)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    forget_passwords(state_dir)


def up(
    project: ProjectConfig, state_dir: Path, engine: str, stage: str, port: int, moto_port: int,
    python: str = "", progress: Progress = say,
) -> list[str]:  # fmt: skip
    """Start the local cloud unless it runs, and provision `stage` (none if empty) on it."""
    started = time.monotonic()
    state = read_state(state_dir)
    if state:
        _, lines = provision(state.endpoints, project, stage, state_dir) if stage else (None, [])
        return [f"already running: {state.engine} on {state.endpoint}", *lines]
    state = start(project, state_dir, engine, port, moto_port, python, progress)
    ready = time.monotonic() - started
    try:
        _, lines = provision(state.endpoints, project, stage, state_dir) if stage else (None, [])
    except BaseException:
        stop(project, state, state_dir)
        raise
    total = time.monotonic() - started
    head = (
        f"{engine} up on {state.endpoint}: answering after {ready:.2f} s, "
        f"provisioned after {total:.2f} s"
    )
    return [head, *lines, *_routing(state)]


def _stop_group(process: Process) -> None:
    """Stop the process group and return once it is gone and its port is free.

    `reset` starts again on the same port at once: returning while the old server
    still listens (a slow shutdown on a busy machine) would make that start fail.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    if _gone(process, seconds=10):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    _gone(process, seconds=5)


def _gone(process: Process, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # When this process started it (`invoke dev`), reap it: a zombie still counts.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(process.pid, os.WNOHANG)
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            if port_is_free(process.port):
                return True
        time.sleep(0.05)
    return False


def _stop(project: ProjectConfig, state: LocalCloudState) -> None:
    if state.container:
        cli = str(venv_python(project.root).with_name("localstack"))
        port = int(state.endpoint.rsplit(":", 1)[1])
        env = docker_environment(port, state.container)
        with contextlib.suppress(OSError):
            subprocess.run([cli, "stop"], env=env, capture_output=True, check=False)
    for process in state.processes:
        _stop_group(process)


def down(project: ProjectConfig, state_dir: Path) -> list[str]:
    """Stop the local cloud, if it runs, and forget it."""
    state = read_state(state_dir)
    if not state:
        (state_dir / STATE_FILE).unlink(missing_ok=True)
        forget_passwords(state_dir)
        return ["the local cloud is not running"]
    stop(project, state, state_dir)
    return [f"stopped {state.engine} on {state.endpoint}"]


def _running(state_dir: Path) -> LocalCloudState:
    try:
        return require_running(state_dir)
    except LocalCloudNotRunning as error:
        raise LocalCloudError(str(error)) from None


def _routing(state: LocalCloudState) -> list[str]:
    lines = []
    by_endpoint: dict[str, list[str]] = {}
    for service, url in sorted(state.service_endpoints.items()):
        by_endpoint.setdefault(url, []).append(service)
    for url, services in by_endpoint.items():
        lines.append(f"  {', '.join(services)}: moto on {url}")
    lines.append(f"  every other service: {state.engine} ({state.mode}) on {state.endpoint}")
    return ["which engine serves what:", *lines]


def status(project: ProjectConfig, state_dir: Path) -> list[str]:
    """Where the local cloud runs, which engine serves what, its tables and user pools."""
    state = _running(state_dir)
    region = project.region
    tables = state.endpoints.client("dynamodb", region).list_tables()["TableNames"]
    pools = state.endpoints.client("cognito-idp", region).list_user_pools(MaxResults=60)
    processes = ", ".join(f"{p.name} pid {p.pid} port {p.port}" for p in state.processes)
    return [
        f"running: {state.engine} ({state.mode}) on {state.endpoint}; {processes}",
        *_routing(state),
        f"tables: {', '.join(tables) or 'none'}",
        f"user pools: {', '.join(p['Name'] for p in pools['UserPools']) or 'none'}",
    ]


def reset(
    project: ProjectConfig, state_dir: Path, stage: str, progress: Progress = say
) -> list[str]:
    """Wipe everything: the engines keep state in memory only, so a restart is a reset.

    The same engine starts again on the same ports, then `stage` is provisioned.
    """
    state = _running(state_dir)
    port = int(state.endpoint.rsplit(":", 1)[1])
    moto_port = next((p.port for p in state.processes if p.name == "moto"), port)
    down(project, state_dir)
    lines = up(project, state_dir, state.engine, stage, port, moto_port, progress=progress)
    return ["wiped every resource", *lines]


def env(project: ProjectConfig, state_dir: Path) -> list[str]:
    """Shell lines that point AWS tools at the running local cloud."""
    state = _running(state_dir)
    local = state.endpoints.environment(project.region, base={})
    return ["unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN"] + [
        f"export {name}={shlex.quote(value)}" for name, value in sorted(local.items())
    ]
