"""Serve every service with `chalice local` on the local cloud, until Ctrl-C or SIGTERM.

`serve`, inside `stop_on_signals`, is what `invoke dev` runs. When no local cloud
runs, it starts one as `invoke local.up` would, and stops it again on the way out;
a local cloud that already runs is used and left running. Beside each service runs
its stream delivery (stream_delivery.py, a process of its own), which feeds the
service's DynamoDB stream handlers as an event source mapping would, sending what it
gives up on to the service's stream failure queue. Services run on
local_gateway.py, `chalice local` without its habit of echoing Authorization headers.
A child that dies is reported and restarted (supervision.py); the others keep serving.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .cfn_template import failure_queue_output_key, stream_output_key
from .local_cloud_engine import provision, start, stop
from .local_cloud_state import (
    LocalCloudNotRunning,
    LocalCloudState,
    read_state,
    recorded_password,
    require_running,
)
from .local_database import migrate_local_database
from .ports import port_is_free
from .project_config import ProjectConfig
from .supervision import ChildSpec, Supervisor, stop_process_groups

READY_TIMEOUT_SECONDS = 60.0


class DevServerError(Exception):
    """Something stops the dev server from starting; the message says what."""


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Return once host:port accepts connections; DevServerError if `process` dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DevServerError(
                f"the server for port {port} exited with code {process.returncode}"
            )
        if not port_is_free(port, host):
            return
        time.sleep(0.1)
    raise DevServerError(f"nothing answered on {host}:{port} within {timeout:.0f} s")


def wait_for_file(path: Path, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Return once `path` exists; DevServerError if `process` dies first or time runs out."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise DevServerError(f"stream delivery did not start ({path.name})")
        time.sleep(0.1)


def chalice_environment(service_dir: Path, stage: str) -> dict[str, str]:
    """The environment variables .chalice/config.json gives the service in `stage`."""
    config = json.loads((service_dir / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {
        **config.get("environment_variables", {}),
        **config["stages"][stage].get("environment_variables", {}),
    }


@dataclass(frozen=True)
class CloudOptions:
    """How to start the local cloud when none runs (`invoke local.up`'s options)."""

    engine: str
    port: int
    moto_port: int


def serve(
    project: ProjectConfig, stage: str, state_dir: Path, host: str, first_port: int,
    cloud: CloudOptions | None = None,
) -> int:  # fmt: skip
    """Start the local cloud unless one runs, provision the stage, start every service
    and its stream delivery; block until one stops, Ctrl-C or SIGTERM, then stop what
    was started here (the local cloud only if it was)."""
    if stage not in project.stages:
        raise DevServerError(
            f"unknown stage {stage!r}; the stages are: {', '.join(project.stages)}"
        )
    cloud = cloud or CloudOptions(
        project.local_cloud.engine, project.local_cloud.port, project.local_cloud.moto_port
    )
    services = project.services
    ports = {service: first_port + index for index, service in enumerate(services)}
    for port in ports.values():
        if not port_is_free(port, host):
            raise DevServerError(f"port {port} on {host} is in use; choose other ports")
    state = read_state(state_dir)
    if state is None:
        cloud_ports = (cloud.port,) if cloud.engine == "moto" else (cloud.port, cloud.moto_port)
        for port in cloud_ports:
            if not port_is_free(port):
                raise DevServerError(
                    f"port {port} on 127.0.0.1 is in use, and no local cloud of this project "
                    f"is recorded in {state_dir}; choose another with --cloud-port"
                )
    else:
        try:
            require_running(state_dir)
        except LocalCloudNotRunning as error:
            raise DevServerError(str(error)) from None
    started: LocalCloudState | None = None
    try:
        if state is None:
            print(f"No local cloud runs: starting {cloud.engine} on 127.0.0.1:{cloud.port} "
                  "(as `invoke local.up` does); it stops with dev", flush=True)  # fmt: skip
            state = started = start(project, state_dir, cloud.engine, cloud.port, cloud.moto_port)
        return _serve_on(project, stage, state, state_dir, host, ports)
    except KeyboardInterrupt:
        return 0
    finally:
        if started is not None:
            with _signals_ignored():
                stop(project, started, state_dir)
            print(f"Stopped the local cloud on {started.endpoint}", flush=True)


def _serve_on(
    project: ProjectConfig, stage: str, state: LocalCloudState, state_dir: Path, host: str,
    ports: dict[str, int],
) -> int:  # fmt: skip
    region = project.stages[stage].region
    # The seeded users' passwords go to the state folder, never to the output.
    resources, _ = provision(state.endpoints, project, stage, state_dir)
    env = state.endpoints.environment(region)
    env_file = project.root / f".env.{stage}"
    if env_file.is_file():
        # The services read it after their real environment (config.load_settings).
        env["APP_ENV_FILE"] = str(env_file)
    print(f"Local cloud ({state.engine}) on {state.endpoint}: stage {stage} from infra/stage.yaml")
    if "APP_ENV_FILE" in env:
        print(f"Services read {env_file.name} after their environment")
    # The SQL projection's SQLite file and the search index live beside the local cloud's
    # state; the services run in their own folders, so they get its absolute path.
    local_state = state_dir.resolve()
    env["APP_LOCAL_STATE_DIR"] = str(local_state)
    print(f"SQL projection: {migrate_local_database(local_state, stage)} (migrated)")
    with tempfile.TemporaryDirectory(prefix="dev-server-") as scratch:
        specs: list[ChildSpec] = []
        ready_files = []
        for service, port in ports.items():
            folder = project.root / "services" / service
            service_env = {
                **env,
                **chalice_environment(folder, stage),
                "APP_TABLE_STREAM_ARN": resources.outputs[stream_output_key(service)],
                "APP_USER_POOL_ID": resources.outputs["UserPoolId"],
                "APP_USER_POOL_CLIENT_IDS": resources.outputs["UserPoolClientId"],
            }
            gateway = [sys.executable, "-m", f"{__package__}.local_gateway",
                       "--stage", stage, "--host", host, "--port", str(port)]  # fmt: skip
            ready = Path(scratch) / f"{service}.ready"
            ready_files.append(ready)
            # Batches the delivery gives up on go to the service's stream failure queue,
            # as the deployed mapping's on-failure destination sends them.
            queue_url = resources.outputs[failure_queue_output_key(service, "Url")]
            delivery = [sys.executable, "-m", f"{__package__}.stream_delivery", str(ready),
                        "--on-failure-queue", queue_url]  # fmt: skip
            specs += [
                ChildSpec(f"{service}: chalice local on port {port}", gateway, folder, service_env),
                ChildSpec(f"{service}: stream delivery", delivery, folder, service_env),
            ]
        supervisor = Supervisor(specs, report=lambda line: print(line, flush=True))
        try:
            supervisor.start_all()
            processes = supervisor.processes()
            for index, port in enumerate(ports.values()):
                wait_for_port(host, port, processes[2 * index], READY_TIMEOUT_SECONDS)
                wait_for_file(ready_files[index], processes[2 * index + 1], READY_TIMEOUT_SECONDS)
            for line in try_it_lines(project, stage, state_dir, host, ports):
                print(line)
            print("Serving. Ctrl-C stops everything.", flush=True)
            while not supervisor.all_down():
                time.sleep(0.5)
                supervisor.check()
            print("Every service stopped; shutting down.", file=sys.stderr)
            return 1
        finally:
            with _signals_ignored():
                stop_process_groups(supervisor.processes())


def try_it_lines(
    project: ProjectConfig, stage: str, state_dir: Path, host: str, ports: dict[str, int]
) -> list[str]:
    """Each service's URL, with a token command and a curl line to paste (never a password)."""
    width = max(len(service) for service in ports) + 2
    users = project.local_cloud.users
    if not users:
        lines = [
            "No users are seeded (local_cloud.users in invoke.yaml): add one with "
            "`invoke auth.users.add`, then get its token with `invoke auth.token`."
        ]
        return lines + [
            f"  {service:<{width}}http://{host}:{port}/{service}" for service, port in ports.items()
        ]
    user = users[0].username
    asks = "" if recorded_password(state_dir, stage, user) else (
        f"; it asks for {user}'s password, which `local.up` printed when it made the user"
    )  # fmt: skip
    token = f'export TOKEN="$(.venv/bin/invoke auth.token --stage {stage} --user {user})"'
    lines = [f"Call them as {user}, a user seeded from invoke.yaml (in {project.root}{asks}):"]
    for service, port in ports.items():
        url = f"http://{host}:{port}/{service}"
        lines += [
            f"  {service:<{width}}{url}",
            f"    {token}",
            f'    curl -H "Authorization: Bearer $TOKEN" {url}',
        ]
    return lines


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Let a second Ctrl-C or SIGTERM not cut the clean-up short (it is bounded in time)."""
    previous = {signum: signal.signal(signum, signal.SIG_IGN)
                for signum in (signal.SIGINT, signal.SIGTERM)}  # fmt: skip
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Make Ctrl-C and a plain `kill` (SIGTERM) both end `serve` in the same clean shutdown,
    even when the parent started this process with SIGINT ignored (as shells do for
    background jobs). Main thread only, as every signal handler."""
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _stop_on_terminate),
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_on_terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
