"""`invoke api.*`: each service's openapi.yaml as Postman files, a mock, and a breaking-change gate.

The documents are the source of truth; these tasks only read them. Each task checks
its options once, then calls a devkit module (postman_export, api_mock, api_diff).
The Node tools they drive are pinned in package.json; `invoke setup` installs them.
"""

from __future__ import annotations

from pathlib import Path

from invoke import Collection, Context, task
from invoke.exceptions import Exit

from . import api_validators
from .layout import BUILD, ROOT, checked_services, require_venv
from .stages import checked_stage, stage_config, stage_region

# `invoke dev`'s default first port: --local URLs point there unless told otherwise.
DEV_FIRST_PORT = 8001
# Prism's own default port, for the first service; the others follow.
MOCK_FIRST_PORT = 4010
POSTMAN_DIR = BUILD / "postman"
MOCK_LOG_DIR = BUILD / "api-mock"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def _checked_port(port: int, option: str, count: int) -> int:
    if not 1024 <= port <= 65535 - count:
        raise Exit(f"--{option} {port} is not a port from 1024 to {65535 - count}.", code=1)
    return port


@task(
    name="postman",
    help={
        "stage": "Stage whose URLs the environments hold (see invoke.yaml)",
        "service": "Only this service (default: all)",
        "local": "The URLs of `invoke dev` on this machine, not the stage deployed on AWS",
        "first_port": f"With --local: `invoke dev`'s first port (default {DEV_FIRST_PORT})",
    },
)
def postman(
    c: Context, stage: str = "", service: str = "", local: bool = False,
    first_port: int = DEV_FIRST_PORT,
) -> None:  # fmt: skip
    """Write each service's Postman collection (with tests) and stage environment.

    Into build/postman/: <service>.postman_collection.json, from openapi.yaml by the
    official converter, and <service>.<stage>.postman_environment.json. Import both
    into Postman, or run them with Newman; set bearerToken (a secret) in the
    environment to a token from `invoke auth.token`, never in a file under git.
    """
    require_venv()
    stage = checked_stage(c, stage)
    services = checked_services(service)
    _checked_port(int(first_port), "first-port", len(services))
    from botocore.exceptions import BotoCoreError, ClientError

    from {{ cookiecutter.project_slug }}_devkit import service_urls
    from {{ cookiecutter.project_slug }}_devkit.node_tools import NodeToolsMissing
    from {{ cookiecutter.project_slug }}_devkit.postman_export import PostmanExportError, export_service

    try:
        if local:
            every = checked_services("")
            urls = service_urls.local_urls(every, "127.0.0.1", int(first_port))
        else:
            from {{ cookiecutter.project_slug }}_devkit.deployment import aws_clients

            cloudformation = aws_clients(stage_region(c, stage))("cloudformation")
            project = stage_config(c, stage).project
            urls = service_urls.deployed_urls(project, stage, services, cloudformation)
        for name in services:
            collection = POSTMAN_DIR / f"{name}.postman_collection.json"
            environment = POSTMAN_DIR / f"{name}.{stage}.postman_environment.json"
            count = export_service(ROOT, ROOT / "services" / name / "openapi.yaml", collection,
                                   environment, f"{name} ({stage})", urls[name])  # fmt: skip
            print(f"{name}: {count} requests, each with its tests -> "
                  f"{_shown(collection)}")  # fmt: skip
            print(f"{name}: baseUrl {urls[name]} -> {_shown(environment)}")
    except (NodeToolsMissing, PostmanExportError, service_urls.ServiceNotDeployed) as error:
        raise Exit(f"api.postman: {error}", code=1) from None
    except (ClientError, BotoCoreError) as error:
        raise Exit(
            f"api.postman: reading the stage's stacks failed: {error} (--local: invoke dev)",
            code=1,
        ) from None
    print(f"Set bearerToken in Postman to the output of `invoke auth.token --stage {stage}` "
          "(a secret: it stays out of the files).")  # fmt: skip


@task(
    name="mock",
    help={
        "service": "Only this service (default: all)",
        "first_port": f"Port of the first service's mock (default {MOCK_FIRST_PORT}); "
        "the others follow in order",
    },
)
def mock(c: Context, service: str = "", first_port: int = MOCK_FIRST_PORT) -> None:
    """Serve a mock of each service from its openapi.yaml alone; Ctrl-C stops them.

    Prism answers valid requests with examples and invalid ones with a 4xx, so a
    frontend can start before a route exists. Logs go to build/api-mock/.
    """
    require_venv()
    every = checked_services("")
    wanted = checked_services(service)
    _checked_port(int(first_port), "first-port", len(every))
    from {{ cookiecutter.project_slug }}_devkit.api_mock import MockError, mock_ports, serve_mocks
    from {{ cookiecutter.project_slug }}_devkit.dev_server import stop_on_signals
    from {{ cookiecutter.project_slug }}_devkit.node_tools import NodeToolsMissing

    ports = {name: port for name, port in mock_ports(every, int(first_port)).items()
             if name in wanted}  # fmt: skip
    with stop_on_signals():
        try:
            code = serve_mocks(ROOT, ports, "127.0.0.1", MOCK_LOG_DIR,
                               report=lambda line: print(line, flush=True))  # fmt: skip
        except (MockError, NodeToolsMissing) as error:
            raise Exit(f"api.mock: {error}", code=1) from None
    if code:
        raise Exit(code=code)


@task(
    name="diff",
    help={"base": "Git ref to compare with (default: main, else origin/main)"},
)
def diff(c: Context, base: str = "") -> None:
    """Fail on breaking changes of any service's openapi.yaml since --base.

    Lists each one (a removed path or operation, a new required parameter or body
    field, a narrowed response, a removed status); additive changes pass.
    """
    require_venv()
    from {{ cookiecutter.project_slug }}_devkit.api_diff import (
        ApiDiffError,
        breaking_changes,
        default_base,
        documents_at,
        working_documents,
    )
    from {{ cookiecutter.project_slug }}_devkit.node_tools import NodeToolsMissing

    try:
        ref = base or default_base(ROOT)
        before, after = documents_at(ROOT, ref), working_documents(ROOT)
        changes = breaking_changes(ROOT, before, after)
    except (ApiDiffError, NodeToolsMissing) as error:
        raise Exit(f"api.diff: {error}", code=1) from None
    compared = ", ".join(sorted(before.keys() & after.keys())) or "none"
    added = sorted(after.keys() - before.keys())
    print(f"api.diff: compared with {ref}: {compared}"
          + (f"; new: {', '.join(added)}" if added else ""))  # fmt: skip
    if changes:
        for change in changes:
            print(f"  {change}")
        raise Exit(f"api.diff: {len(changes)} breaking change(s) since {ref}.", code=1)
    print("api.diff: no breaking changes.")


ns = Collection("api")
ns.add_task(postman)
ns.add_task(mock)
ns.add_task(diff)
ns.add_task(api_validators.validators)
