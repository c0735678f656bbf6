"""The commands behind `invoke local.*`: moto's server in the background, one per project.

Run as `python -m <project>_devkit.local_cloud_cli ACTION --state-dir DIR ...`. The
state file (pid, port, endpoint) lets a second `up` see the first, and `down`
stop it. Failures are one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from .local_cloud import LocalCloud, emulator_client, emulator_environment
from .ports import port_is_free
from .project_config import load_project_config
from .stage_secrets import StageSecrets, secret_name
from .stage_stack import create_stage_stack

STATE_FILE = "state.json"
READY_SECONDS = 20.0
ENGINE = "moto"


class LocalCloudError(Exception):
    """The local cloud cannot do what was asked; the message says why."""


def _state_path(args: argparse.Namespace) -> Path:
    return Path(args.state_dir) / STATE_FILE


def read_state(state_dir: Path) -> dict[str, Any] | None:
    """The running cloud's state, or None when none is recorded or its process is gone."""
    path = state_dir / STATE_FILE
    if not path.is_file():
        return None
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    try:
        os.kill(int(state["pid"]), 0)
    except ProcessLookupError:
        path.unlink()
        return None
    return state


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310
            return True
    except OSError:
        return False


def _clients(endpoint: str, region: str) -> tuple[Any, Any, Any]:
    return (
        emulator_client("cloudformation", endpoint, region),
        emulator_client("dynamodb", endpoint, region),
        emulator_client("secretsmanager", endpoint, region),
    )


def provision(endpoint: str, stage: str) -> str:
    """Create the stage's stack and secret unless they exist; say what was done."""
    project = load_project_config()
    if stage not in project.stages:
        stages = ", ".join(project.stages)
        raise LocalCloudError(f"unknown stage {stage!r}; the stages are: {stages}")
    region = project.stages[stage].region
    cloudformation, dynamodb, secretsmanager = _clients(endpoint, region)
    done = []
    stacks = cloudformation.list_stacks(StackStatusFilter=["CREATE_COMPLETE", "UPDATE_COMPLETE"])
    if any(s["StackName"] == project.stack_name(stage) for s in stacks["StackSummaries"]):
        done.append(f"stack {project.stack_name(stage)} exists")
    else:
        stack = create_stage_stack(project, stage, cloudformation, dynamodb)
        done.append(f"stack {stack.stack_name}: tables {', '.join(stack.table_names)}")
    store = StageSecrets(secretsmanager, secret_name(project.prefix, stage))
    if not store.exists():
        store.write({})
        done.append(f"secret {secret_name(project.prefix, stage)} (empty)")
    return "; ".join(done)


def up(args: argparse.Namespace) -> str:
    started = time.monotonic()
    state = read_state(Path(args.state_dir))
    if state:
        note = provision(state["endpoint"], args.stage)
        return f"already running: {ENGINE} on {state['endpoint']} (pid {state['pid']}); {note}"
    if not port_is_free(args.port):
        raise LocalCloudError(f"port {args.port} on 127.0.0.1 is in use; pass --port")
    Path(args.state_dir).mkdir(parents=True, exist_ok=True)
    log = (Path(args.state_dir) / "moto.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", f"{__package__}.local_cloud_cli", "serve", "--port", str(args.port)],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{args.port}"
    deadline = time.monotonic() + READY_SECONDS
    while not _answers(endpoint):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log_path = Path(args.state_dir) / "moto.log"
            raise LocalCloudError(f"{ENGINE} did not start; see {log_path}")
        time.sleep(0.05)
    ready = time.monotonic() - started
    state = {"engine": ENGINE, "pid": server.pid, "port": args.port, "endpoint": endpoint}
    _state_path(args).write_text(json.dumps(state), encoding="utf-8")
    note = provision(endpoint, args.stage)
    return f"{ENGINE} up on {endpoint} in {ready:.2f} s (pid {server.pid}); {note}"


def down(args: argparse.Namespace) -> str:
    state = read_state(Path(args.state_dir))
    if not state:
        return "the local cloud is not running"
    os.killpg(int(state["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + 5
    while not port_is_free(int(state["port"])) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not port_is_free(int(state["port"])):
        os.killpg(int(state["pid"]), signal.SIGKILL)
    _state_path(args).unlink(missing_ok=True)
    return f"stopped {state['engine']} on {state['endpoint']}"


def _running(args: argparse.Namespace) -> dict[str, Any]:
    state = read_state(Path(args.state_dir))
    if not state:
        raise LocalCloudError("the local cloud is not running: start it with `invoke local.up`")
    return state


def status(args: argparse.Namespace) -> str:
    state = _running(args)
    region = load_project_config().region
    cloudformation = emulator_client("cloudformation", state["endpoint"], region)
    stacks = cloudformation.list_stacks(StackStatusFilter=["CREATE_COMPLETE", "UPDATE_COMPLETE"])
    names = sorted(s["StackName"] for s in stacks["StackSummaries"])
    return "\n".join(
        [
            f"running: {state['engine']} on {state['endpoint']} (pid {state['pid']})",
            f"every service (DynamoDB, CloudFormation, Secrets Manager, ...): {state['engine']}",
            f"stacks: {', '.join(names) or 'none'}",
        ]
    )


def reset(args: argparse.Namespace) -> str:
    state = _running(args)
    reset_url = f"{state['endpoint']}/moto-api/reset"
    request = urllib.request.Request(reset_url, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass
    return f"wiped every resource; {provision(state['endpoint'], args.stage)}"


def env(args: argparse.Namespace) -> str:
    state = _running(args)
    local = emulator_environment(state["endpoint"], load_project_config().region, base={})
    return "\n".join(
        ["unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN"]
        + [f"export {name}={shlex.quote(value)}" for name, value in sorted(local.items())]
    )


def serve(args: argparse.Namespace) -> str:
    """Run moto's server in this process until SIGTERM."""
    cloud = LocalCloud(port=args.port)
    cloud.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    cloud.stop()
    return "stopped"


ACTIONS = {"up": up, "down": down, "status": status, "reset": reset, "env": env, "serve": serve}


def main(argv: list[str] | None = None) -> int:
    """Run one action; print its result, or one line of error on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=sorted(ACTIONS))
    parser.add_argument("--state-dir", default=".local-cloud")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--stage", default="")
    args = parser.parse_args(argv)
    try:
        print(ACTIONS[args.action](args))
    except (LocalCloudError, OSError) as error:
        print(f"local {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
