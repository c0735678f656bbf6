"""`invoke package`: each service's deployment.zip and SAM template for a stage, as deploy does."""

from __future__ import annotations

from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from invoke import Context, task
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit.cold_start_budget import load_cold_start_budget
from {{ cookiecutter.project_slug }}_devkit.deployment import aws_clients, secret_reference
from {{ cookiecutter.project_slug }}_devkit.package_report import collect, format_report
from {{ cookiecutter.project_slug }}_devkit.service_package import PackagingError, package_service
from {{ cookiecutter.project_slug }}_devkit.stage_secrets import SecretsError

from .layout import BUILD, checked_services
from .stages import checked_stage, stage_config


@task(
    help={
        "stage": "Stage whose configuration the packages get (see invoke.yaml)",
        "service": "Only this service (default: all)",
        "output_dir": "Where to write <stage>/<service>/ (default: build/)",
        "report": "Then measure what a user pays for each zip (cold init, first request, size) "
        "against a bare Chalice app that builds the same DynamoDB client",
    }
)
def package(
    c: Context, stage: str, service: str = "", output_dir: str = "", report: bool = False
) -> None:
    """Write each service's deployment.zip and SAM template (sam.json) for a stage.

    The stage's secret is read first (its keys and version, never printed), and
    packaging stops if it cannot be. Each key reaches the functions as a CloudFormation
    dynamic reference, resolved at deploy time: no value is in the template or the zip.
    """
    stage = checked_stage(c, stage)
    services = checked_services(service)
    config = stage_config(c, stage)
    out = Path(output_dir).resolve() if output_dir else BUILD
    clients = aws_clients(config.stage.region)
    try:
        print(f"== {stage}: the stage's secret")
        secret = secret_reference(clients("secretsmanager"), config.project, stage, print)
        for name in services:
            print(f"== {name}")
            package_service(config.project, config.stage, name, out, secret)
    except (SecretsError, PackagingError, ClientError, BotoCoreError) as error:
        raise Exit(f"package: {error}", code=1) from None
    if report:
        print(f"== report: {', '.join(services)} against a bare Chalice app with a DynamoDB client")
        reference, bundles = collect(out / stage, out / stage / ".report")
        budget = load_cold_start_budget(config.project.root)
        print("\n".join(format_report(reference, bundles, budget)))
