"""Serve every service with `chalice local` against the local cloud, until Ctrl-C.

Run as `python -m <project>_devkit.dev_server --stage dev` (what `invoke dev` does).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .local_cloud import LocalCloud, emulator_environment
from .ports import port_is_free
from .project_config import ProjectConfig, load_project_config
from .stage_stack import create_stage_stack

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


def serve(project: ProjectConfig, stage: str, host: str, cloud_port: int, first_port: int) -> int:
    """Start the cloud, the stage's stack and the services; block until one stops or Ctrl-C."""
    if stage not in project.stages:
        raise DevServerError(
            f"unknown stage {stage!r}; the stages are: {', '.join(project.stages)}"
        )
    services = project.services
    ports = {service: first_port + index for index, service in enumerate(services)}
    for port in [cloud_port, *ports.values()]:
        if port and not port_is_free(port, host):
            raise DevServerError(f"port {port} on {host} is in use; choose other ports")
    region = project.stages[stage].region
    cloud = LocalCloud(host, cloud_port)
    endpoint = cloud.start()
    env = emulator_environment(endpoint, region)
    env_file = project.root / f".env.{stage}"
    if env_file.is_file():
        # The services read it after their real environment (config.load_settings).
        env["APP_ENV_FILE"] = str(env_file)
    children: list[subprocess.Popen[bytes]] = []
    try:
        create_stage_stack(
            project,
            stage,
            cloud.client("cloudformation", region),
            cloud.client("dynamodb", region),
        )
        print(f"Local cloud (moto) on {endpoint}: stage {stage} created from infra/stage.yaml")
        if "APP_ENV_FILE" in env:
            print(f"Services read {env_file.name} after their environment")
        chalice = str(Path(sys.executable).with_name("chalice"))
        for service, port in ports.items():
            command = [chalice, "local", "--stage", stage, "--host", host, "--port", str(port)]
            # Own process group: `chalice local` runs a reloader and a worker, and both
            # must go when we stop, whoever receives the signal.
            children.append(
                subprocess.Popen(
                    command,
                    cwd=project.root / "services" / service,
                    env=env,
                    start_new_session=True,
                )
            )
        for (service, port), child in zip(ports.items(), children, strict=True):
            wait_for_port(host, port, child, READY_TIMEOUT_SECONDS)
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
        cloud.stop()


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
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--cloud-port", type=int, default=5000, help="port of the local cloud")
    parser.add_argument("--first-port", type=int, default=8001, help="port of the first service")
    args = parser.parse_args(argv)
    # Ctrl-C and a plain `kill` both end in the same clean shutdown, even when the
    # parent started us with SIGINT ignored (as shells do for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    try:
        return serve(load_project_config(), args.stage, args.host, args.cloud_port, args.first_port)
    except DevServerError as error:
        print(f"invoke dev: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
