"""Serve every service with `chalice local` against the running local cloud, until Ctrl-C.

Run as `python -m <project>_devkit.dev_server --stage dev` (what `invoke dev` does).
Beside each service runs its stream delivery (stream_delivery.py), which feeds
the service's DynamoDB stream handlers as an event source mapping would.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .cfn_template import stream_output_key
from .local_cloud_cli import LocalCloudError, provision
from .local_cloud_state import LocalCloudNotRunning, require_running
from .ports import port_is_free
from .project_config import ProjectConfig, load_project_config

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


def serve(project: ProjectConfig, stage: str, state_dir: Path, host: str, first_port: int) -> int:
    """Provision the stage on the running local cloud, start every service and its stream
    delivery; block until one stops or Ctrl-C."""
    if stage not in project.stages:
        raise DevServerError(
            f"unknown stage {stage!r}; the stages are: {', '.join(project.stages)}"
        )
    try:
        state = require_running(state_dir)
    except LocalCloudNotRunning as error:
        raise DevServerError(str(error)) from None
    services = project.services
    ports = {service: first_port + index for index, service in enumerate(services)}
    for port in ports.values():
        if not port_is_free(port, host):
            raise DevServerError(f"port {port} on {host} is in use; choose other ports")
    region = project.stages[stage].region
    resources, _ = provision(state.endpoints, project, stage)
    env = state.endpoints.environment(region)
    env_file = project.root / f".env.{stage}"
    if env_file.is_file():
        # The services read it after their real environment (config.load_settings).
        env["APP_ENV_FILE"] = str(env_file)
    print(f"Local cloud ({state.engine}) on {state.endpoint}: stage {stage} from infra/stage.yaml")
    if "APP_ENV_FILE" in env:
        print(f"Services read {env_file.name} after their environment")
    children: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="dev-server-") as scratch:
        try:
            chalice = str(Path(sys.executable).with_name("chalice"))
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
                command = [chalice, "local", "--stage", stage, "--host", host, "--port", str(port)]
                # Own process groups: `chalice local` runs a reloader and a worker, and
                # both must go when we stop, whoever receives the signal.
                children.append(
                    subprocess.Popen(command, cwd=folder, env=service_env, start_new_session=True)
                )
                ready = Path(scratch) / f"{service}.ready"
                ready_files.append(ready)
                delivery = [sys.executable, "-m", f"{__package__}.stream_delivery",
                            "--ready-file", str(ready)]  # fmt: skip
                children.append(
                    subprocess.Popen(delivery, cwd=folder, env=service_env, start_new_session=True)
                )
            for index, (service, port) in enumerate(ports.items()):
                wait_for_port(host, port, children[2 * index], READY_TIMEOUT_SECONDS)
                wait_for_file(ready_files[index], children[2 * index + 1], READY_TIMEOUT_SECONDS)
                print(f"  {service:<16} http://{host}:{port}/{service}")
            print("Serving. Ctrl-C stops everything.", flush=True)
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            print("A service stopped; shutting down.", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            stop_process_groups(children)


def stop_process_groups(children: list[subprocess.Popen[bytes]], grace: float = 10.0) -> None:
    """SIGTERM every child's process group, then SIGKILL what is left after `grace` seconds."""
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        # The worker of `chalice local` can outlive its reloader: clear the group.
        _signal_group(child, signal.SIGKILL)
        child.wait()


def _signal_group(child: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _stop_on_terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="stage whose configuration to serve")
    parser.add_argument("--state-dir", default=".local-cloud", help="state of `local.up`")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--first-port", type=int, default=8001, help="port of the first service")
    args = parser.parse_args(argv)
    # Ctrl-C and a plain `kill` both end in the same clean shutdown, even when the
    # parent started us with SIGINT ignored (as shells do for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    try:
        project = load_project_config()
        return serve(project, args.stage, Path(args.state_dir), args.host, args.first_port)
    except (DevServerError, LocalCloudError) as error:
        print(f"invoke dev: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
