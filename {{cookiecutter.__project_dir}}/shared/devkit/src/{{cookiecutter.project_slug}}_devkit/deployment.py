"""Deploying a stage to AWS and tearing it down: the stage's stack, then one stack per service.

    deploy:   the stage's secret (fail closed) -> the stage stack (infra/stage.yaml)
              -> per service: package, upload zip and template, stack through a change
              set, CodeDeploy releasing the `live` alias -> each service's URL
    teardown: each service's stack -> the stage stack (data kept unless asked)

Everything AWS does here it does in CloudFormation and CodeDeploy, which the console
shows and which roll back by themselves; nothing here holds the release. The
clients come from a factory, so tests hand in stubbed or emulated ones.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .artifacts import (
    artifact_bucket,
    notifier_zip,
    object_url,
    upload_artifact,
    upload_notifier,
    zip_digest,
)
from .project_config import ProjectConfig, StageConfig
from .release_watch import ReleaseWatch
from .sam_template import with_code_uri
from .service_package import SecretReference, package_service
from .stacks import Polling, Progress, Template, delete_stack, deploy_stack
from .stage_resources import ClientFactory
from .stage_secrets import CLIENT_CONFIG, SecretNotFound, StageSecrets, secret_name
from .stage_stack import deploy_stage_stack, remove_stage_stack

# Chalice's templates name no IAM role, and SAM is a transform (a macro).
SERVICE_CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")


def secret_reference(
    secrets_client: Any, project: ProjectConfig, stage: str, progress: Progress
) -> SecretReference | None:
    """The keys and version of the stage's secret; None before its stack first made it.

    Fails closed: a secret that exists but cannot be read (access denied, not JSON, not
    an object of strings, unreachable) stops the deploy with SecretsError.
    """
    name = secret_name(project.prefix, stage)
    try:
        values, version = StageSecrets(secrets_client, name).read_version()
    except SecretNotFound:
        progress(f"secret {name}: not there yet; the stage stack makes it, empty")
        return None
    progress(f"secret {name}: {len(values)} key(s), version {version[:8]}")
    return SecretReference(name, tuple(sorted(values)), version)


def stage_parameters(project: ProjectConfig, stage: StageConfig) -> dict[str, str]:
    """The stage stack's parameters from the stage's settings in invoke.yaml.

    `sql` turns on the SQL tier (HasSql) and `search` the collection (HasSearch); the
    services' packages follow the same settings (sam_template.release_template), so a
    service imports only what its stage stack exports.
    """
    return {
        "Project": project.prefix,
        "Stage": stage.name,
        "AlertEmail": stage.alert_email,
        "SqlVpcId": stage.sql_vpc_id,
        "SqlSubnetIds": ",".join(stage.sql_subnet_ids),
        "Search": "on" if stage.search else "off",
    }


def deploy_stage(
    project: ProjectConfig,
    stage: StageConfig,
    services: list[str],
    clients: ClientFactory,
    build_dir: Path,
    progress: Progress = print,
    polling: Polling = Polling(),  # noqa: B008 (immutable)
    now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC),
    migrate: Callable[[dict[str, str]], object] | None = None,
) -> dict[str, str]:
    """Deploy the stage's stack, then each service's; return each service's URL.

    `migrate(stage outputs)` runs between the two (the database's migrations: new code
    never meets an old schema, and no cold start migrates).
    Raises StackFailed (rolled back or failed), SecretsError or PackagingError.
    """
    progress(f"== {stage.name}: the stage's secret")
    secret = secret_reference(clients("secretsmanager"), project, stage.name, progress)
    s3 = clients("s3")
    account = clients("sts").get_caller_identity()["Account"]
    bucket = artifact_bucket(project, account, stage.region)
    progress(f"== {stage.name}: stage stack {project.stack_name(stage.name)} (infra/stage.yaml)")
    parameters = {
        **stage_parameters(project, stage),
        "NotifierCodeKey": upload_notifier(s3, bucket, stage.region, notifier_zip(project)),
    }
    outputs = deploy_stage_stack(project, stage.name, clients, parameters, progress, polling)
    if migrate is not None:
        progress(f"== {stage.name}: database migrations")
        migrate(outputs)
    cloudformation = clients("cloudformation")
    urls = {}
    for service in services:
        progress(f"== {service}: package")
        package = package_service(project, stage, service, build_dir, secret, progress)
        archive = package.archive.read_bytes()
        code = upload_artifact(
            s3, bucket, stage.region, service, "deployment.zip", archive, zip_digest(archive)
        )
        template = with_code_uri(package.template(), f"s3://{bucket}/{code}")
        body = json.dumps(template, indent=1, sort_keys=True).encode()
        key = upload_artifact(s3, bucket, stage.region, service, "template.json", body)
        stack = project.service_stack_name(stage.name, service)
        progress(f"== {service}: stack {stack}")
        watch = ReleaseWatch(clients("codedeploy"), cloudformation, stack, progress, now())
        deployed = deploy_stack(
            cloudformation,
            stack,
            Template(url=object_url(bucket, stage.region, key)),
            capabilities=SERVICE_CAPABILITIES,
            tags={"project": project.prefix, "stage": stage.name, "service": service},
            progress=progress,
            polling=polling,
            while_waiting=watch,
        )
        urls[service] = deployed.outputs.get("EndpointURL", "")
    return urls


def teardown_stage(
    project: ProjectConfig,
    stage: StageConfig,
    services: list[str],
    clients: ClientFactory,
    delete_data: bool,
    progress: Progress = print,
    polling: Polling = Polling(),  # noqa: B008 (immutable)
) -> None:
    """Delete the services' stacks; when every service goes, then the stage's stack.

    Only stacks named for this stage are touched, so another stage never is.
    """
    cloudformation = clients("cloudformation")
    for service in services:
        progress(f"== {service}")
        delete_stack(
            cloudformation,
            project.service_stack_name(stage.name, service),
            progress=progress,
            polling=polling,
        )
    if set(services) != set(project.services):
        return
    progress(f"== {stage.name}: stage stack")
    remove_stage_stack(project, stage.name, clients, delete_data, progress, polling)


def aws_clients(region: str) -> ClientFactory:
    """A factory of boto3 clients for `region`, with the secrets client's retry settings."""
    import boto3

    def client(service: str) -> Any:
        config = CLIENT_CONFIG if service == "secretsmanager" else None
        return boto3.client(service, region_name=region, config=config)  # type: ignore[call-overload]

    return client
