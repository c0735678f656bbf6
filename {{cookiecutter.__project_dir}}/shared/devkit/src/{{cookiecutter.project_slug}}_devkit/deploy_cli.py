"""The commands behind `invoke deploy` and `invoke teardown`: a stage's stack, then its services.

Run as `python -m <project>_devkit.deploy_cli deploy|teardown --stage S ...` after
`invoke package` wrote build/<stage>/. The target is the local cloud when boto3's
endpoint variable (AWS_ENDPOINT_URL, as `invoke local.env` exports it) is set, and
AWS otherwise. Failures are one line on stderr and a non-zero exit; a canary that
rolled back exits 3.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from .canary_release import Release, ReleaseRefused, RolledBack, Rollout
from .cfn_template import stream_output_key
from .notifier_artifact import artifact_bucket, notifier_zip, upload_notifier
from .project_config import ProjectConfig, StageConfig, load_project_config
from .service_deployer import API_STAGE, DeployError, ServiceDeployer, ServicePackage
from .stage_resources import ClientFactory, ProvisioningError
from .stage_stack import StackError, deploy_aws, deploy_local, remove_aws, remove_local

ROLLED_BACK = 3
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class DeployCliError(Exception):
    """The command cannot go on; the message says why."""


def local_endpoint() -> str | None:
    """The local cloud's URL when boto3 points at one, None for AWS; refuses a remote endpoint."""
    url = os.environ.get("AWS_ENDPOINT_URL")
    if not url:
        return None
    if urllib.parse.urlsplit(url).hostname not in LOOPBACK:
        raise DeployCliError(
            f"AWS_ENDPOINT_URL points at {urllib.parse.urlsplit(url).hostname}, not this machine: "
            "unset it to deploy to AWS, or run `invoke local.env` for the local cloud"
        )
    return url.rstrip("/")


def _clients(region: str) -> ClientFactory:
    def client(service: str) -> Any:
        return boto3.client(service, region_name=region)  # type: ignore[call-overload]

    return client


def _api_url(local: str | None, region: str) -> Callable[[str], str]:
    if local is not None:
        # moto serves a deployed stage's routes under this path.
        return lambda api_id: f"{local}/restapis/{api_id}/{API_STAGE}/_user_request_/"
    return lambda api_id: f"https://{api_id}.execute-api.{region}.amazonaws.com/{API_STAGE}/"


def deploy_stage(
    project: ProjectConfig,
    stage: StageConfig,
    packages: list[ServicePackage],
    clients: ClientFactory,
    local: str | None,
    progress: Callable[[str], None] = print,
    **release_options: Any,
) -> dict[str, str]:
    """Deploy the stage's resources, then the packaged services, then release their new versions.

    Returns each service's endpoint URL. Raises RolledBack when a canary went back.
    """
    progress(f"== {stage.name}: stage resources (infra/stage.yaml)")
    if local:
        outputs = deploy_local(project, stage.name, clients, progress)
    else:
        account = clients("sts").get_caller_identity()["Account"]
        notifier = upload_notifier(
            clients("s3"),
            artifact_bucket(project, account, stage.region),
            stage.region,
            notifier_zip(project),
        )
        parameters = {
            "Project": project.prefix,
            "Stage": stage.name,
            "AlertEmail": stage.alert_email,
            "NotifierCodeKey": notifier,
        }
        outputs = deploy_aws(project, stage.name, clients, parameters, progress)
    deployer = ServiceDeployer(
        clients, stage.region, stage.name, _api_url(local, stage.region), progress
    )
    versions: dict[str, str] = {}
    for package in packages:
        progress(f"== {package.service}: functions")
        environment = {
            "APP_USER_POOL_ID": outputs.get("UserPoolId", ""),
            "APP_USER_POOL_CLIENT_IDS": outputs.get("UserPoolClientId", ""),
            "APP_TABLE_STREAM_ARN": outputs.get(stream_output_key(package.service), ""),
        }
        versions.update(deployer.publish(package, environment))
    release = Release(
        clients("lambda"),
        clients("cloudwatch"),
        outputs["ErrorAlarmName"],
        progress,
        **release_options,
    )
    release.create_missing_aliases(versions)
    endpoints = {}
    for package in packages:
        progress(f"== {package.service}: API and streams, through the live alias")
        stream = outputs.get(stream_output_key(package.service))
        endpoints[package.service] = deployer.wire(package, stream)
    rollout = Rollout.for_stage(stage)
    progress(f"== {stage.name}: release ({'canary' if rollout.is_canary else 'all at once'})")
    release.release(versions, rollout)
    return endpoints


def teardown_stage(
    project: ProjectConfig,
    stage: StageConfig,
    services: list[str],
    clients: ClientFactory,
    local: str | None,
    delete_data: bool,
    progress: Callable[[str], None] = print,
) -> None:
    """Remove the services' functions, APIs and roles; with every service, the stage's resources."""
    deployer = ServiceDeployer(
        clients, stage.region, stage.name, _api_url(local, stage.region), progress
    )
    for service in services:
        progress(f"== {service}")
        deployer.remove(project.app_name(service))
    if set(services) != set(project.services):
        return
    progress(f"== {stage.name}: stage resources")
    if local:
        remove_local(project, stage.name, clients, delete_data)
    else:
        remove_aws(project, stage.name, clients, delete_data, progress)


def deploy(args: argparse.Namespace, project: ProjectConfig) -> None:
    """`deploy`: the packages of build/<stage>/ to the stage, then the endpoints."""
    stage = project.stages[args.stage]
    local = local_endpoint()
    print(f"== {stage.name}: deploying to {'the local cloud at ' + local if local else 'AWS'}")
    packages = [
        ServicePackage.read(service, Path(args.build_dir) / service / "package")
        for service in args.service or project.services
    ]
    endpoints = deploy_stage(project, stage, packages, _clients(stage.region), local)
    print(f"== {stage.name}: deployed")
    for service, url in endpoints.items():
        print(f"  {service}: {url}")


def teardown(args: argparse.Namespace, project: ProjectConfig) -> None:
    """`teardown`: the stage's services, then (unless only some are named) its resources."""
    stage = project.stages[args.stage]
    local = local_endpoint()
    print(f"== {stage.name}: tearing down on {'the local cloud at ' + local if local else 'AWS'}")
    services = args.service or project.services
    teardown_stage(project, stage, services, _clients(stage.region), local, args.delete_data)
    kept = (
        ""
        if args.delete_data
        else " (tables, user pool and secret kept; --delete-data removes them)"
    )
    print(f"== {stage.name}: torn down{kept}")


ACTIONS = {"deploy": deploy, "teardown": teardown}


def main(argv: list[str] | None = None) -> int:
    """Run one action; exit 1 with one line on stderr when it fails, 3 when a canary rolled back."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=sorted(ACTIONS))
    parser.add_argument("--stage", required=True)
    parser.add_argument("--service", action="append", default=[])
    parser.add_argument("--build-dir", default="")
    parser.add_argument("--delete-data", action="store_true")
    args = parser.parse_args(argv)
    try:
        project = load_project_config()
        if args.stage not in project.stages:
            raise DeployCliError(f"unknown stage {args.stage!r}")
        unknown = sorted(set(args.service) - set(project.services))
        if unknown:
            raise DeployCliError(f"unknown service(s): {', '.join(unknown)}")
        args.build_dir = args.build_dir or str(project.root / "build" / args.stage)
        ACTIONS[args.action](args, project)
    except RolledBack as error:
        print(f"{args.action}: rolled back: {error}", file=sys.stderr)
        return ROLLED_BACK
    except (DeployCliError, DeployError, StackError, ProvisioningError, ReleaseRefused) as error:
        print(f"{args.action}: {error}", file=sys.stderr)
        return 1
    except ClientError as error:
        details = error.response.get("Error", {})
        print(
            f"{args.action}: {error.operation_name} refused: {details.get('Code', 'error')} "
            f"{details.get('Message', '')[:200]}".rstrip(),
            file=sys.stderr,
        )
        return 1
    except BotoCoreError as error:
        print(f"{args.action}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
