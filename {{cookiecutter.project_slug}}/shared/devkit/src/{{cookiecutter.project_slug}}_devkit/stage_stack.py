"""Creating and removing a stage's own resources (infra/stage.yaml) on the local cloud."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .cfn_template import load_template, output_key
from .project_config import ProjectConfig

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient

TEMPLATE = "infra/stage.yaml"


@dataclass(frozen=True)
class StageStack:
    """A created stage stack and what it reports about itself."""

    stage: str
    stack_name: str
    outputs: dict[str, str]

    def table_name(self, service: str) -> str:
        """Name of `service`'s table in this stage."""
        return self.outputs[output_key(service)]

    @property
    def table_names(self) -> list[str]:
        """Every table the stack made."""
        return sorted(value for key, value in self.outputs.items() if key.endswith("TableName"))


def create_stage_stack(
    project: ProjectConfig,
    stage: str,
    cloudformation: CloudFormationClient,
    dynamodb: DynamoDBClient,
) -> StageStack:
    """Create the stage's stack from infra/stage.yaml and wait until it is complete.

    moto's CloudFormation ignores TimeToLiveSpecification, so TTL is applied here
    after the fact from the same template: the tables end up as on AWS.
    """
    template_path = project.root / TEMPLATE
    template = load_template(template_path)
    stack_name = project.stack_name(stage)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=template_path.read_text(encoding="utf-8"),
        Parameters=[
            {"ParameterKey": "Project", "ParameterValue": project.prefix},
            {"ParameterKey": "Stage", "ParameterValue": stage},
        ],
        Tags=[
            {"Key": "project", "Value": project.prefix},
            {"Key": "stage", "Value": stage},
        ],
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    description = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {item["OutputKey"]: item["OutputValue"] for item in description.get("Outputs", [])}
    stack = StageStack(stage=stage, stack_name=stack_name, outputs=outputs)
    _apply_time_to_live(template, stack, dynamodb)
    return stack


def delete_stage_stack(
    stack: StageStack,
    cloudformation: CloudFormationClient,
    dynamodb: DynamoDBClient,
    delete_data: bool = False,
) -> None:
    """Delete the stack; tables are retained by policy unless `delete_data`."""
    cloudformation.delete_stack(StackName=stack.stack_name)
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack.stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    if delete_data:
        for table in stack.table_names:
            dynamodb.delete_table(TableName=table)


def _apply_time_to_live(
    template: dict[str, Any], stack: StageStack, dynamodb: DynamoDBClient
) -> None:
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        ttl = resource.get("Properties", {}).get("TimeToLiveSpecification")
        if not ttl or not ttl.get("Enabled"):
            continue
        table = stack.outputs[f"{logical_id}Name"]
        status = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if status.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            continue
        dynamodb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
