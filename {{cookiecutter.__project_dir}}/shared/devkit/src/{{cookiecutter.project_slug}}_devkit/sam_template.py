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
ARN Chalice was given for the stage stack's export; `with_data_tier` gives the function
roles what a stage with SQL or search needs (release_template puts the functions in the
SQL tier's VPC and gives them the endpoints, never a password).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from .project_config import StageConfig

ALIAS = "live"
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
# What a service's handlers read of the stage stack's outputs, by environment variable.
STAGE_OUTPUTS = {"APP_USER_POOL_ID": "UserPoolId", "APP_USER_POOL_CLIENT_IDS": "UserPoolClientId"}
# Of a stage with SQL (infra/stage.yaml HasSql): where RDS Proxy is and which secret holds
# the credentials, never the credentials; the engine reads them when it connects.
SQL_OUTPUTS = {
    "APP_DATABASE_SECRET_ARN": "DatabaseSecretArn",  # pragma: allowlist secret (an ARN's name)
    "APP_DATABASE_HOST": "DatabaseProxyEndpoint",
}
# DatabaseName of the stage stack's DatabaseCluster.
SQL_DATABASE = "app"
# Of a stage with search (HasSearch): the collection's endpoint, signed for `aoss`.
SEARCH_OUTPUTS = {"APP_SEARCH_URL": "SearchCollectionEndpoint"}
# What a function needs to make and drop its network interfaces in the VPC (AWS's own).
VPC_ACCESS_POLICY = (
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
)
# What a service may do with its own index of the stage's collection, and no more:
# no index deletion, no other service's index.
SEARCH_INDEX_PERMISSIONS = (
    "aoss:CreateIndex", "aoss:DescribeIndex", "aoss:UpdateIndex",
    "aoss:ReadDocument", "aoss:WriteDocument",
)  # fmt: skip
# OpenSearch Serverless policy names: 3-32 characters of [a-z0-9-], a letter first.
_POLICY_NAME_LENGTH = 32
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
    variables = function["Environment"]["Variables"]
    if stage.has_sql:
        # Every function joins the SQL tier's subnets in the group the proxy admits.
        function["VpcConfig"] = {
            "SecurityGroupIds": [
                {"Fn::ImportValue": export_name(stage_stack, "ServiceSecurityGroupId")}
            ],
            "SubnetIds": {
                "Fn::Split": [
                    ",",
                    {"Fn::ImportValue": export_name(stage_stack, "DatabaseSubnetIds")},
                ]
            },
        }
        variables.update(_imported(stage_stack, SQL_OUTPUTS))
        variables["APP_DATABASE_NAME"] = SQL_DATABASE
    if stage.search:
        variables.update(_imported(stage_stack, SEARCH_OUTPUTS))
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


def _imported(stage_stack: str, outputs: dict[str, str]) -> dict[str, Any]:
    return {
        variable: {"Fn::ImportValue": export_name(stage_stack, output)}
        for variable, output in outputs.items()
    }


def search_access_policy_name(prefix: str, stage: str, service: str) -> str:
    """The name of a service's data access policy on its stage's collection (unique per
    account and region, as policy names must be), shortened with a digest past 32 characters."""
    name = f"{prefix}-{stage}-{service}".replace("_", "-")
    if len(name) <= _POLICY_NAME_LENGTH:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: _POLICY_NAME_LENGTH - 9].rstrip('-')}-{digest}"


def function_roles(template: dict[str, Any]) -> list[str]:
    """Logical ids of the template's IAM roles that Lambda assumes (Chalice makes one per
    function, or one for all)."""
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
        and "lambda.amazonaws.com" in json.dumps(resource["Properties"]["AssumeRolePolicyDocument"])
    ]


def with_data_tier(
    template: dict[str, Any], prefix: str, service: str, stage: StageConfig, stage_stack: str
) -> dict[str, Any]:
    """The template with what the stage's SQL and search tiers need of the function roles.

    SQL: reading the database's secret (that one secret, imported from the stage stack)
    and AWS's VPC access policy (the network interfaces of functions in a VPC). Search:
    `aoss:APIAccessAll` on the stage's collection (IAM's half), and a data access policy
    naming the roles and the service's own index (the collection's half). release_template
    sets the VPC and the environment. A stage with neither gets the template unchanged.
    """
    result = copy.deepcopy(template)
    roles = function_roles(result)
    statements: list[dict[str, Any]] = []
    if stage.has_sql:
        statements.append(
            {
                "Sid": "StageDatabaseSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",  # pragma: allowlist secret
                "Resource": {"Fn::ImportValue": export_name(stage_stack, "DatabaseSecretArn")},
            }
        )
    if stage.search:
        statements.append(
            {
                "Sid": "StageSearchCollection",
                "Effect": "Allow",
                "Action": "aoss:APIAccessAll",
                "Resource": {"Fn::ImportValue": export_name(stage_stack, "SearchCollectionArn")},
            }
        )
    if not statements:
        return result
    for logical_id in roles:
        properties = result["Resources"][logical_id]["Properties"]
        properties.setdefault("Policies", []).append(
            {
                "PolicyName": "stage-data-tier",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": copy.deepcopy(statements)},
            }
        )
        if stage.has_sql:
            managed = properties.setdefault("ManagedPolicyArns", [])
            managed.append({"Fn::Sub": VPC_ACCESS_POLICY})
    if stage.search:
        result["Resources"]["SearchAccessPolicy"] = _search_access_policy(
            prefix, service, stage.name, roles
        )
    return result


def _search_access_policy(
    prefix: str, service: str, stage: str, roles: list[str]
) -> dict[str, Any]:
    collection = f"{prefix}-{stage}"
    rules = [
        {
            "ResourceType": "index",
            # search_index's name for the service's index: `<stage>-<service>`.
            "Resource": [f"index/{collection}/{stage}-{service}"],
            "Permission": list(SEARCH_INDEX_PERMISSIONS),
        },
        {
            "ResourceType": "collection",
            "Resource": [f"collection/{collection}"],
            "Permission": ["aoss:DescribeCollectionItems"],
        },
    ]
    # Each role's ARN through a Sub variable (concatenated: the template's renderer reads
    # doubled braces as its own).
    principals = ["${" + f"Role{index}" + "}" for index in range(len(roles))]
    text = json.dumps([{"Rules": rules, "Principal": principals}], separators=(",", ":"))
    return {
        "Type": "AWS::OpenSearchServerless::AccessPolicy",
        "Properties": {
            "Name": search_access_policy_name(prefix, stage, service),
            "Type": "data",
            "Description": f"The {service} service's functions and its index in {collection}",
            "Policy": {
                "Fn::Sub": [
                    text,
                    {
                        f"Role{index}": {"Fn::GetAtt": [role, "Arn"]}
                        for index, role in enumerate(roles)
                    },
                ]
            },
        },
    }


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
