"""The project's tasks: `invoke --list` shows them. Each body lives in devtasks/<concern>.py."""

import os
import sys
from pathlib import Path

from invoke import Collection

# Tasks run inside the project's .venv, where the devkit and the pinned tools are: a
# global `invoke` hands over to .venv's once `invoke setup` has made it.
_VENV_INVOKE = Path(__file__).resolve().parent / ".venv" / "bin" / "invoke"
if _VENV_INVOKE.exists() and Path(sys.prefix).resolve() != _VENV_INVOKE.parents[1]:
    os.execv(_VENV_INVOKE, [str(_VENV_INVOKE), *sys.argv[1:]])

from devtasks import (
    auth,
    benchmarks,
    deployment,
    environment,
    git_hooks,
    local_cloud,
    local_dev,
    packaging,
    quality,
    secrets,
    services,
    testing,
)

ns = Collection()
ns.add_task(environment.setup)
ns.add_task(environment.lock)
ns.add_task(quality.lint)
ns.add_task(quality.typecheck)
ns.add_task(quality.format_)
ns.add_collection(git_hooks.ns)
ns.add_task(testing.run_tests)
ns.add_task(packaging.package)
ns.add_task(deployment.deploy)
ns.add_task(deployment.teardown)
ns.add_collection(secrets.ns)
ns.add_collection(local_cloud.ns)
ns.add_task(local_dev.dev)
ns.add_collection(auth.ns)
ns.add_collection(benchmarks.ns)
ns.add_collection(services.ns)
