"""The project's tasks: `invoke --list` shows them. Each body lives in devtasks/<concern>.py."""

from invoke import Collection

from devtasks import (
    api,
    auth,
    benchmarks,
    database,
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
ns.add_collection(database.ns)
ns.add_collection(secrets.ns)
ns.add_collection(local_cloud.ns)
ns.add_task(local_dev.dev)
ns.add_collection(auth.ns)
ns.add_collection(benchmarks.ns)
ns.add_collection(services.ns)
ns.add_collection(api.ns)
