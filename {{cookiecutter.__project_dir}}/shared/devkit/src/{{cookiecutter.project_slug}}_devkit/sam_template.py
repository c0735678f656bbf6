"""A service's stack template: Chalice's own SAM output, plus what a merge cannot say.

`chalice package --merge-template` deep-merges the template of `release_template` into
what Chalice generates, so every function it packages (routes, authorizers,
schedules, queue, topic and stream handlers, whatever comes next) gets, through SAM's
`Globals`: a `live` alias published on each change (AutoPublishAlias), the stage's
release policy through CodeDeploy (DeploymentPreference, rolled back by the stage's
error alarm), the stage's log group, and the stage stack's outputs. SAM then binds
every event source to the alias by itself.

A merge cannot rewrite the integrations and permissions Chalice points at the bare
function, so `bind_to_alias` does that after packaging;
`with_stream_failure_handling` gives every DynamoDB stream event the failure
handling Chalice cannot declare, with the stage stack's queue as its on-failure
destination; `import_stage_values` swaps the placeholder stream
ARN Chalice was given for the stage stack's export.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .project_config import StageConfig

ALIAS = "live"
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
# What a service's handlers read of the stage stack's outputs, by environment variable.
STAGE_OUTPUTS = {"APP_USER_POOL_ID": "UserPoolId", "APP_USER_POOL_CLIENT_IDS": "UserPoolClientId"}
_FUNCTION_ARN = re.compile(r"\$\{(\w+)\.Arn\}")
# How every DynamoDB stream event source mapping treats a failing batch (Lambda's
# documented partial batch semantics). Handlers return `batchItemFailures`, so Lambda
# checkpoints at the lowest failed record and retries from it; a handler error splits
# the batch in two until the failing record is alone; after the retries or the age
# below, Lambda sends the batch's info (shard, first and last sequence numbers) to the
# on-failure destination (on_failure_destination) and goes on with the shard.
STREAM_FAILURE_HANDLING: dict[str, Any] = {
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "BisectBatchOnFunctionError": True,
    # Lambda's default is -1 (retry until the record expires, 24 h): one bad record
    # would hold up every later change of its shard for a day.
    "MaximumRetryAttempts": 5,
    # A backlog older than an hour is discarded rather than block the shard longer.
    "MaximumRecordAgeInSeconds": 3600,
}


def on_failure_destination(queue_arn: Any) -> dict[str, Any]:
    """A stream event's DestinationConfig sending what Lambda gives up on to an SQS queue.

    SAM would add the send permission only to a role it generates; Chalice's functions
    bring their own role, so the service's policy files allow sqs:SendMessage on the
    queue (service_generator.iam_policy).
    """
    return {"OnFailure": {"Destination": queue_arn, "Type": "SQS"}}


def export_name(stage_stack: str, output: str) -> str:
    """The export of a stage stack's output: `<stack>-<OutputKey>` (infra/stage.yaml names them)."""
    return f"{stage_stack}-{output}"


def log_group_name(prefix: str, service: str, stage: str) -> str:
    """The log group every function of a service writes to in a stage (infra/stage.yaml makes
    it, with the metric filter that counts its ERROR records)."""
    return f"/aws/lambda/{prefix}-{service}-{stage}"


def deployment_type(stage: StageConfig) -> dict[str, Any] | str:
    """SAM's DeploymentPreference Type for the stage's policy in invoke.yaml."""
    if stage.deployment == "canary":
        return {"Ref": "CanaryDeploymentConfig"}
    return "AllAtOnce"


def release_template(
    prefix: str, service: str, stage: StageConfig, stage_stack: str
) -> dict[str, Any]:
    """The template `chalice package --merge-template` merges into the service's SAM template."""
    function: dict[str, Any] = {
        "AutoPublishAlias": ALIAS,
        "DeploymentPreference": {
            "Type": deployment_type(stage),
            "Alarms": [{"Fn::ImportValue": export_name(stage_stack, "ErrorAlarmName")}],
        },
        "LoggingConfig": {"LogGroup": log_group_name(prefix, service, stage.name)},
        "Environment": {
            "Variables": {
                variable: {"Fn::ImportValue": export_name(stage_stack, output)}
                for variable, output in STAGE_OUTPUTS.items()
            }
        },
    }
    if stage.snapstart:
        function["SnapStart"] = {"ApplyOn": "PublishedVersions"}
    merged: dict[str, Any] = {"Globals": {"Function": function}}
    if stage.deployment == "canary":
        # CodeDeploy's predefined canaries are 10 % for 5, 10, 15 or 30 minutes; the
        # stage's own percent and minutes need a configuration of their own.
        merged["Resources"] = {
            "CanaryDeploymentConfig": {
                "Type": "AWS::CodeDeploy::DeploymentConfig",
                "Properties": {
                    "ComputePlatform": "Lambda",
                    "TrafficRoutingConfig": {
                        "Type": "TimeBasedCanary",
                        "TimeBasedCanary": {
                            "CanaryPercentage": stage.canary_percent,
                            "CanaryInterval": max(1, round(stage.canary_minutes)),
                        },
                    },
                },
            }
        }
    return merged


def functions_of(template: dict[str, Any]) -> list[str]:
    """Logical ids of the template's SAM functions."""
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == SERVERLESS_FUNCTION
    ]


def bind_to_alias(template: dict[str, Any]) -> dict[str, Any]:
    """Point what Chalice aims at a bare function at its `live` alias instead.

    API Gateway's integrations and authorizers (`${Fn.Arn}` in the API definition) and
    the Lambda permissions Chalice writes (`Ref Fn` or `GetAtt Fn.Arn`): left as they
    are, a new version would take every request at once, whatever CodeDeploy does.
    SAM binds the event sources it generates (schedules, queues, topics, streams) to
    the alias itself. Returns a new template.
    """
    result = copy.deepcopy(template)
    functions = set(functions_of(result))
    for resource in result["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Api" and "DefinitionBody" in properties:
            properties["DefinitionBody"] = _aliased_arns(properties["DefinitionBody"], functions)
        elif resource["Type"] == "AWS::Lambda::Permission":
            target = _function_named(properties.get("FunctionName"), functions)
            if target is not None:
                properties["FunctionName"] = {"Ref": f"{target}.Alias"}
    return result


def with_stream_failure_handling(
    template: dict[str, Any], on_failure_queue_arn: Any = None
) -> dict[str, Any]:
    """The template with STREAM_FAILURE_HANDLING on every function's DynamoDB events, and
    `on_failure_queue_arn` (an ARN or an intrinsic such as Fn::ImportValue) as their
    on-failure destination when given.

    Chalice's `on_dynamodb_record` cannot set these, and a merge template would need
    each function's and event's name; SAM turns them into the event source mapping's
    properties. Returns a new template.
    """
    result = copy.deepcopy(template)
    for logical_id in functions_of(result):
        events = result["Resources"][logical_id].get("Properties", {}).get("Events", {})
        for event in events.values():
            if event.get("Type") == "DynamoDB":
                properties = event.setdefault("Properties", {})
                properties.update(copy.deepcopy(STREAM_FAILURE_HANDLING))
                if on_failure_queue_arn is not None:
                    properties["DestinationConfig"] = on_failure_destination(
                        copy.deepcopy(on_failure_queue_arn)
                    )
    return result


def _function_named(value: Any, functions: set[str]) -> str | None:
    if isinstance(value, dict):
        if value.get("Ref") in functions:
            return str(value["Ref"])
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and get_att[0] in functions and get_att[1] == "Arn":
            return str(get_att[0])
    return None


def _aliased_arns(node: Any, functions: set[str]) -> Any:
    """`{"Fn::Sub": "...${Fn.Arn}..."}` -> the alias's ARN through a Sub variable, throughout."""
    if isinstance(node, list):
        return [_aliased_arns(item, functions) for item in node]
    if not isinstance(node, dict):
        return node
    text = node.get("Fn::Sub")
    if len(node) == 1 and isinstance(text, str):
        names = sorted({name for name in _FUNCTION_ARN.findall(text) if name in functions})
        if names:
            for name in names:
                # (Concatenated: the template's renderer reads doubled braces as its own.)
                text = text.replace("${" + name + ".Arn}", "${" + name + "AliasArn}")
            # cfn-lint accepts the alias reference as a Sub variable, not inline.
            variables = {f"{name}AliasArn": {"Ref": f"{name}.Alias"} for name in names}
            return {"Fn::Sub": [text, variables]}
    return {key: _aliased_arns(item, functions) for key, item in node.items()}


def import_stage_values(template: dict[str, Any], placeholder: str, export: str) -> dict[str, Any]:
    """Replace every occurrence of the placeholder stream ARN with the stage stack's export.

    Chalice needs a stream ARN when it loads the app; the table's stream only gets its
    ARN when the stage stack creates it, so packaging gives Chalice a placeholder and
    the service stack imports the real one.
    """

    def swap(node: Any) -> Any:
        if node == placeholder:
            return {"Fn::ImportValue": export}
        if isinstance(node, list):
            return [swap(item) for item in node]
        if isinstance(node, dict):
            return {key: swap(item) for key, item in node.items()}
        return node

    result: dict[str, Any] = swap(template)
    return result


def with_code_uri(template: dict[str, Any], code_uri: str) -> dict[str, Any]:
    """The template with every function's code at `code_uri` (an s3:// URI once uploaded)."""
    result = copy.deepcopy(template)
    for logical_id in functions_of(result):
        result["Resources"][logical_id]["Properties"]["CodeUri"] = code_uri
    return result
