"""Where each service of a stage answers: on AWS (its stack's output) or under `invoke dev`."""

from __future__ import annotations

from typing import Any

from .project_config import ProjectConfig
from .stacks import outputs_of

# The output Chalice's SAM template gives each service's stack: the API's stage URL.
ENDPOINT_OUTPUT = "EndpointURL"


class ServiceNotDeployed(Exception):
    """A service's stack, or its URL output, is not there in the stage."""


def deployed_urls(
    project: ProjectConfig, stage: str, services: list[str], cloudformation: Any
) -> dict[str, str]:
    """Each service's URL in `stage` on AWS, from its stack's outputs, without a trailing
    slash (the requests add their paths). ServiceNotDeployed names the first one missing;
    the CloudFormation client's own errors pass through."""
    urls = {}
    for service in services:
        stack = project.service_stack_name(stage, service)
        try:
            url = outputs_of(cloudformation, stack).get(ENDPOINT_OUTPUT, "")
        except cloudformation.exceptions.ClientError as error:
            if "does not exist" not in str(error):
                raise
            url = ""
        if not url:
            raise ServiceNotDeployed(
                f"{service} is not deployed in stage {stage} (no stack {stack} with an "
                f"{ENDPOINT_OUTPUT} output): run `invoke deploy --stage {stage}`, or use --local"
            )
        urls[service] = url.rstrip("/")
    return urls


def local_urls(services: list[str], host: str, first_port: int) -> dict[str, str]:
    """Each service's URL under `invoke dev --first-port FIRST_PORT`: one port each, in the
    order of the project's services, as the dev server numbers them."""
    return {
        service: f"http://{host}:{first_port + index}" for index, service in enumerate(services)
    }
