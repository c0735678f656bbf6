"""`invoke deploy` and `invoke teardown`: a whole stage on AWS, as CloudFormation stacks.

The stage's resources are the stack `<prefix>-<stage>` (infra/stage.yaml); each
service is the stack `<prefix>-<stage>-<service>`, built from Chalice's own SAM
template; CodeDeploy releases new versions behind the `live` alias. The local cloud
is for `invoke dev` and the tests, never a deploy target.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError
from invoke import Context, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit.deployment import aws_clients, deploy_stage, teardown_stage
from {{ cookiecutter.project_slug }}_devkit.service_package import PackagingError
from {{ cookiecutter.project_slug }}_devkit.stacks import StackFailed
from {{ cookiecutter.project_slug }}_devkit.stage_database import migrate_database, stage_database_url
from {{ cookiecutter.project_slug }}_devkit.stage_resources import ClientFactory
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import SecretsError, secret_name
from {{ cookiecutter.project_slug }}_sql import SqlError

from .layout import BUILD, checked_services
from .stages import StageOfProject, checked_stage, is_protected, stage_config

# deploy's exit code when CloudFormation rolled a release back (a canary's alarm fired).
ROLLED_BACK = 3


def _checked(
    c: Context, stage: str, service: str, confirm: bool, doing: str
) -> tuple[StageOfProject, list[str]]:
    """The stage and services a change names, checked once, before any AWS call."""
    stage = checked_stage(c, stage)
    if is_protected(c, stage) and not confirm:
        raise Exit(f"Stage {stage} is protected: add --confirm to {doing}.", code=1)
    services = checked_services(service)
    _aws_only()
    return stage_config(c, stage), services


def _aws_only() -> None:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        raise Exit(
            f"AWS_ENDPOINT_URL is set ({endpoint}): deploy and teardown go to AWS only. "
            "Unset it (and the AWS_ENDPOINT_URL_* variables of `invoke local.env`); "
            "`invoke dev` runs the services on the local cloud.",
            code=1,
        )


def _failure(action: str, error: Exception) -> Exit:
    if isinstance(error, StackFailed):
        verb = "rolled back" if error.rolled_back else "failed"
        code = ROLLED_BACK if error.rolled_back else 1
        return Exit(f"{action} {verb}: {error}", code=code)
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        message = f"{error.operation_name} refused: {details.get('Code', 'error')} "
        return Exit(f"{action}: {message}{str(details.get('Message', ''))[:200]}".rstrip(), code=1)
    return Exit(f"{action}: {type(error).__name__}: {error}", code=1)


def stage_migrations(
    config: StageOfProject, clients: ClientFactory
) -> Callable[[dict[str, str]], None]:
    """The deploy step between the stage stack and the services: migrate the stage's database."""

    def migrate(outputs: dict[str, str]) -> None:
        secret = secret_name(config.project.prefix, config.stage.name)
        url = stage_database_url(outputs, clients("secretsmanager"), secret)
        migrate_database(url, print)

    return migrate


@task(
    help={
        "stage": "Stage to deploy (see invoke.yaml)",
        "service": "Only this service (default: all); the stage's stack is deployed either way",
        "confirm": "Required for a protected stage",
    }
)
def deploy(c: Context, stage: str, service: str = "", confirm: bool = False) -> None:
    """Deploy a stage to AWS: its secret's references, its stack, then one stack per service."""
    config, services = _checked(c, stage, service, confirm, "deploy it")
    try:
        clients = aws_clients(config.stage.region)
        urls = deploy_stage(config.project, config.stage, services, clients, BUILD,
                            migrate=stage_migrations(config, clients))  # fmt: skip
    except (StackFailed, SecretsError, PackagingError, SqlError, ClientError,
            BotoCoreError) as error:  # fmt: skip
        raise _failure("deploy", error) from None
    print(f"== {config.stage.name}: deployed")
    for name, url in urls.items():
        print(f"  {name:<16} {url}")


@task(
    help={
        "stage": "Stage to remove (see invoke.yaml)",
        "service": "Only this service's stack; the stage's stack stays",
        "delete_data": "Also delete the stage's tables, user pool and secret (kept by default)",
        "confirm": "Required for a protected stage",
    }
)
def teardown(c: Context, stage: str, service: str = "", delete_data: bool = False,
             confirm: bool = False) -> None:  # fmt: skip
    """Delete a stage's service stacks, then its stack; its data stays unless --delete-data."""
    config, services = _checked(c, stage, service, confirm, "tear it down")
    try:
        teardown_stage(config.project, config.stage, services,
                       aws_clients(config.stage.region), delete_data)  # fmt: skip
    except (StackFailed, ClientError, BotoCoreError) as error:
        raise _failure("teardown", error) from None
    kept = "" if delete_data else " (tables, user pool and secret kept; --delete-data removes them)"
    print(f"== {config.stage.name}: torn down{kept}")
