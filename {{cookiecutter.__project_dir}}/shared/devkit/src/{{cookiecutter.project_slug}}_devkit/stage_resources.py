"""A stage's own resources (infra/stage.yaml) created on the local cloud through each service's API.

Neither emulator can run this template through CloudFormation: moto's has no
Cognito resources and ignores TTL; LocalStack's open-source runtime cannot serve
DynamoDB without Java. So the template's resources are applied here one by one,
in dependency order, with the intrinsic functions resolved the way CloudFormation
resolves them. Each step is "ensure": a resource that exists is found, not made
twice, so provisioning again is harmless. Types the local cloud has no use for
(functions it cannot run, role attachments moto lacks) and resources whose
Condition is false are listed as skipped, never silently dropped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .cfn_template import load_template, output_key
from .project_config import ProjectConfig

TEMPLATE = "infra/stage.yaml"
# moto's and LocalStack's account; pseudo parameters resolve as they would there.
LOCAL_ACCOUNT_ID = "000000000000"
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


class ClientFactory(Protocol):
    """Hands out a boto3 client per AWS service; the engine decides where each one points."""

    def __call__(self, service: str) -> Any: ...


class ProvisioningError(Exception):
    """The template asks for something the local cloud cannot build; the message says what."""


@dataclass(frozen=True)
class StageResources:
    """What was built for one stage: physical ids by logical id, and the template's outputs."""

    stage: str
    physical_ids: dict[str, str]
    outputs: dict[str, str]
    skipped: list[str] = field(default_factory=list)

    def table_name(self, service: str) -> str:
        """Name of `service`'s table in this stage."""
        return self.outputs[output_key(service)]

    @property
    def table_names(self) -> list[str]:
        """Every table of the stage."""
        return sorted(value for key, value in self.outputs.items() if key.endswith("TableName"))


@dataclass
class _Resolver:
    """CloudFormation's intrinsic functions over parameters and already-built resources."""

    parameters: dict[str, str]
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            function = _INTRINSICS.get(name)
            if function is not None:
                return function(self, argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        raise ProvisioningError(f"Ref to {name!r}, which is neither a parameter nor built yet")

    def get_att(self, argument: list[str]) -> str:
        logical_id, attribute = argument
        try:
            return self.attributes[logical_id][attribute]
        except KeyError:
            raise ProvisioningError(
                f"!GetAtt {logical_id}.{attribute} is not available on the local cloud"
            ) from None

    def sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = {name: str(self.resolve(value)) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if "." in name:
                return self.get_att(name.split(".", 1))
            return self.ref(name)

        return _SUB_NAME.sub(replace, text)

    def join(self, argument: list[Any]) -> str:
        separator, items = argument
        return str(separator).join(str(item) for item in self.resolve(items))

    def split(self, argument: list[Any]) -> list[str]:
        separator, text = argument
        return str(self.resolve(text)).split(str(separator))


_INTRINSICS: dict[str, Callable[[_Resolver, Any], Any]] = {
    "Ref": lambda resolver, name: resolver.ref(name),
    "Fn::GetAtt": lambda resolver, argument: resolver.get_att(argument),
    "Fn::Sub": lambda resolver, argument: resolver.sub(argument),
    "Fn::Join": lambda resolver, argument: resolver.join(argument),
    "Fn::Split": lambda resolver, argument: resolver.split(argument),
    "Fn::Equals": lambda resolver, argument: resolver.resolve(argument[0])
    == resolver.resolve(argument[1]),
    "Fn::Not": lambda resolver, argument: not resolver.resolve(argument[0]),
}


def _references(value: Any, logical_ids: set[str]) -> set[str]:
    """Logical ids `value` refers to through Ref, GetAtt or a ${} in Sub."""
    if isinstance(value, list):
        return set().union(*(_references(item, logical_ids) for item in value))
    if not isinstance(value, dict):
        return set()
    found: set[str] = set()
    for key, item in value.items():
        if key == "Ref" and item in logical_ids:
            found.add(item)
        elif key == "Fn::GetAtt" and item[0] in logical_ids:
            found.add(item[0])
        elif key == "Fn::Sub":
            text = item if isinstance(item, str) else item[0]
            names = {name.split(".", 1)[0] for name in _SUB_NAME.findall(text)}
            found |= names & logical_ids
        found |= _references(item, logical_ids)
    return found


def _build_order(resources: Mapping[str, Any]) -> list[str]:
    """Logical ids so that each comes after everything it refers to or DependsOn."""
    logical_ids = set(resources)
    needs = {
        logical_id: _references(resource.get("Properties", {}), logical_ids)
        | set(_as_list(resource.get("DependsOn")))
        for logical_id, resource in resources.items()
    }
    order: list[str] = []
    while needs:
        ready = sorted(name for name, wanted in needs.items() if wanted <= set(order))
        if not ready:
            raise ProvisioningError(f"circular references between {', '.join(sorted(needs))}")
        order.extend(ready)
        for name in ready:
            del needs[name]
    return order


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# Each builder ensures one resource and returns (physical id, attributes for GetAtt);
# each finder returns the same for a resource that exists, or None.
_Step = Callable[[dict[str, Any], ClientFactory, str], tuple[str, dict[str, str]] | None]


def _table(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    dynamodb = clients("dynamodb")
    name = properties["TableName"]
    request: dict[str, Any] = {
        key: properties[key]
        for key in (
            "TableName",
            "AttributeDefinitions",
            "KeySchema",
            "BillingMode",
            "ProvisionedThroughput",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "Tags",
        )
        if key in properties
    }
    if "StreamSpecification" in properties:
        # CloudFormation implies StreamEnabled; the API wants it said.
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            **properties["StreamSpecification"],
        }
    # Create, and look only when refused: a new table (each test makes its own) costs three
    # calls in all, not seven.
    try:
        table = dynamodb.create_table(**request)["TableDescription"]
        created = True
    except dynamodb.exceptions.ResourceInUseException:
        table = dynamodb.describe_table(TableName=name)["Table"]
        created = False
    if table["TableStatus"] != "ACTIVE":
        dynamodb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = (
            {}
            if created
            else dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        )
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    recovery = properties.get("PointInTimeRecoverySpecification")
    if recovery:
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification=recovery
        )
    attributes = {"Arn": table["TableArn"]}
    if "LatestStreamArn" in table:
        attributes["StreamArn"] = table["LatestStreamArn"]
    return name, attributes


def _user_pool(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    cognito = clients("cognito-idp")
    existing = _existing_user_pool(properties, clients, region)
    if existing:
        pool_id = existing[0]
    else:
        request = {key: value for key, value in properties.items() if key != "UserPoolName"}
        pool_id = cognito.create_user_pool(PoolName=properties["UserPoolName"], **request)[
            "UserPool"
        ]["Id"]
    description = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    provider = f"cognito-idp.{region}.amazonaws.com/{pool_id}"
    return pool_id, {
        "Arn": description["Arn"],
        "ProviderName": provider,
        "ProviderURL": f"https://{provider}",
    }


def _user_pool_client(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    cognito = clients("cognito-idp")
    pool_id, name = properties["UserPoolId"], properties["ClientName"]
    for page in cognito.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, MaxResults=60
    ):
        for app_client in page["UserPoolClients"]:
            if app_client["ClientName"] == name:
                return app_client["ClientId"], {}
    created = cognito.create_user_pool_client(**properties)["UserPoolClient"]
    return created["ClientId"], {}


def _user_pool_group(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    cognito = clients("cognito-idp")
    request = {key: value for key, value in properties.items() if key != "RoleArn"}
    with contextlib.suppress(cognito.exceptions.GroupExistsException):
        cognito.create_group(**request)
    return properties["GroupName"], {}


def _role(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    iam = clients("iam")
    name = properties["RoleName"]
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        document = json.dumps(properties["AssumeRolePolicyDocument"])
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]
    return name, {"Arn": role["Arn"], "RoleId": role["RoleId"]}


def _topic(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    request: dict[str, Any] = {"Name": properties["TopicName"]}
    if "Tags" in properties:
        request["Tags"] = properties["Tags"]
    # CreateTopic returns the existing topic's ARN when it is there already.
    arn = clients("sns").create_topic(**request)["TopicArn"]
    return arn, {"TopicArn": arn, "TopicName": properties["TopicName"]}


def _log_group(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    logs = clients("logs")
    name = properties["LogGroupName"]
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=name)
    if "RetentionInDays" in properties:
        logs.put_retention_policy(logGroupName=name, retentionInDays=properties["RetentionInDays"])
    return name, {"Arn": f"arn:aws:logs:{region}:{LOCAL_ACCOUNT_ID}:log-group:{name}:*"}


def _metric_filter(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    # PutMetricFilter replaces a filter of the same name, so this is an upsert.
    clients("logs").put_metric_filter(
        logGroupName=properties["LogGroupName"],
        filterName=properties["FilterName"],
        filterPattern=properties["FilterPattern"],
        metricTransformations=[
            {key[0].lower() + key[1:]: value for key, value in transformation.items()}
            for transformation in properties["MetricTransformations"]
        ],
    )
    return properties["FilterName"], {}


def _alarm(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    # The resource's properties are PutMetricAlarm's parameters, which also upserts.
    clients("cloudwatch").put_metric_alarm(**properties)
    name = properties["AlarmName"]
    return name, {"Arn": f"arn:aws:cloudwatch:{region}:{LOCAL_ACCOUNT_ID}:alarm:{name}"}


def _identity_pool(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    name = properties["IdentityPoolName"]
    existing = _existing_identity_pool(properties, clients, region)
    if existing:
        return existing[0], {"Name": name}
    created = clients("cognito-identity").create_identity_pool(
        IdentityPoolName=name,
        AllowUnauthenticatedIdentities=properties.get("AllowUnauthenticatedIdentities", False),
        CognitoIdentityProviders=properties.get("CognitoIdentityProviders", []),
    )
    return created["IdentityPoolId"], {"Name": name}


def _secret(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    existing = _existing_secret(properties, clients, region)
    if existing:
        return existing  # its values are data: never reset to the template's
    request = {key: properties[key] for key in ("Name", "Description", "SecretString", "Tags")
               if key in properties}  # fmt: skip
    arn = clients("secretsmanager").create_secret(**request)["ARN"]
    return arn, {}


def _queue(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]]:
    sqs = clients("sqs")
    name = properties["QueueName"]
    # The API takes every attribute as a string; CloudFormation's properties are typed.
    attributes = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in properties.items()
        if key not in ("QueueName", "Tags")
    }
    request: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
    if "Tags" in properties:
        request["tags"] = {tag["Key"]: tag["Value"] for tag in properties["Tags"]}
    # CreateQueue returns the existing queue's URL when its attributes are the same.
    url = sqs.create_queue(**request)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, {"Arn": arn, "QueueName": name, "QueueUrl": url}


BUILDERS: dict[str, _Step] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::Cognito::IdentityPool": _identity_pool,
    "AWS::IAM::Role": _role,
    "AWS::SNS::Topic": _topic,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Logs::MetricFilter": _metric_filter,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SQS::Queue": _queue,
}


def _existing_table(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    dynamodb = clients("dynamodb")
    try:
        table = dynamodb.describe_table(TableName=properties["TableName"])["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        return None
    return table["TableName"], {"Arn": table["TableArn"]}


def _existing_user_pool(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    cognito = clients("cognito-idp")
    for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == properties["UserPoolName"]:
                return pool["Id"], {}
    return None


def _existing_identity_pool(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    identity = clients("cognito-identity")
    for page in identity.get_paginator("list_identity_pools").paginate(MaxResults=60):
        for pool in page["IdentityPools"]:
            if pool["IdentityPoolName"] == properties["IdentityPoolName"]:
                return pool["IdentityPoolId"], {}
    return None


def _existing_role(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    iam = clients("iam")
    try:
        iam.get_role(RoleName=properties["RoleName"])
    except iam.exceptions.NoSuchEntityException:
        return None
    return properties["RoleName"], {}


def _existing_topic(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    sns = clients("sns")
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[1] == properties["TopicName"]:
                return topic["TopicArn"], {}
    return None


def _existing_log_group(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    name = properties["LogGroupName"]
    groups = clients("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return (name, {}) if any(group["logGroupName"] == name for group in groups) else None


def _existing_alarm(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    name = properties["AlarmName"]
    alarms = clients("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return (name, {}) if alarms else None


def _existing_secret(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    secrets = clients("secretsmanager")
    try:
        return secrets.describe_secret(SecretId=properties["Name"])["ARN"], {}
    except secrets.exceptions.ResourceNotFoundException:
        return None


def _existing_queue(
    properties: dict[str, Any], clients: ClientFactory, region: str
) -> tuple[str, dict[str, str]] | None:
    sqs = clients("sqs")
    try:
        return sqs.get_queue_url(QueueName=properties["QueueName"])["QueueUrl"], {}
    except sqs.exceptions.QueueDoesNotExist:
        return None


FINDERS: dict[str, _Step] = {
    "AWS::DynamoDB::Table": _existing_table,
    "AWS::Cognito::UserPool": _existing_user_pool,
    "AWS::Cognito::IdentityPool": _existing_identity_pool,
    "AWS::IAM::Role": _existing_role,
    "AWS::SNS::Topic": _existing_topic,
    "AWS::Logs::LogGroup": _existing_log_group,
    "AWS::CloudWatch::Alarm": _existing_alarm,
    "AWS::SecretsManager::Secret": _existing_secret,
    "AWS::SQS::Queue": _existing_queue,
}


def provision_stage(project: ProjectConfig, stage: str, clients: ClientFactory) -> StageResources:
    """Ensure every resource of infra/stage.yaml the local cloud can hold exists for `stage`.

    Returns the physical ids, the template's outputs (those that could be resolved)
    and the logical ids of resources of types the local cloud skips.
    """
    return _apply(project, stage, clients, BUILDERS)


def provision_tables(
    project: ProjectConfig, stage: str, clients: ClientFactory, services: Iterable[str] = ()
) -> StageResources:
    """Ensure only the tables of infra/stage.yaml exist for `stage`: those of `services` (each
    service's table and its own tables, named `<table>-<purpose>` like its change log), or
    every table when none is named. `remove_stage` removes them.

    For tests that need tables of their own and nothing else of a stage: a table
    costs a tenth of what a whole stage does (user pool, roles, topic, alarm, ...).
    """
    names = {project.table_name(stage, service) for service in services}

    def table(
        properties: dict[str, Any], clients: ClientFactory, region: str
    ) -> tuple[str, dict[str, str]] | None:
        name = properties["TableName"]
        # Service names hold no hyphen, so `<table>-...` names only that service's tables.
        if names and not any(name == table or name.startswith(f"{table}-") for table in names):
            return None
        return _table(properties, clients, region)

    return _apply(project, stage, clients, {"AWS::DynamoDB::Table": table})


def locate_stage(project: ProjectConfig, stage: str, clients: ClientFactory) -> StageResources:
    """The stage's resources that exist on the local cloud, found by name; nothing is created.

    Resources that go with another (a pool's clients, a log group's filters) are
    not looked for: removing their owner removes them.
    """
    return _apply(project, stage, clients, FINDERS)


def _template(project: ProjectConfig) -> dict[str, Any]:
    """infra/stage.yaml, parsed once per version of the file. Read-only: callers never change it."""
    path = project.root / TEMPLATE
    status = path.stat()
    return _parsed_template(path, status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=8)
def _parsed_template(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    # Parsing takes about 0.1 s, more than building a table: tests provision and
    # remove hundreds of times a run. The file's time and size key the cache.
    return load_template(path)


def _apply(
    project: ProjectConfig, stage: str, clients: ClientFactory, steps: Mapping[str, _Step]
) -> StageResources:
    template = _template(project)
    region = project.stages[stage].region if stage in project.stages else project.region
    settings = project.stages.get(stage)
    resolver = _Resolver(
        parameters={
            **{
                name: str(parameter["Default"])
                for name, parameter in template.get("Parameters", {}).items()
                if "Default" in parameter
            },
            "Project": project.prefix,
            "Stage": stage,
            "AlertEmail": settings.alert_email if settings else "",
            "AWS::Region": region,
            "AWS::AccountId": LOCAL_ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": project.stack_name(stage),
        }
    )
    conditions = {
        name: bool(resolver.resolve(expression))
        for name, expression in template.get("Conditions", {}).items()
    }
    resources = template["Resources"]
    skipped = []
    for logical_id in _build_order(resources):
        resource = resources[logical_id]
        condition = resource.get("Condition")
        if condition is not None and not conditions[condition]:
            skipped.append(f"{logical_id} (condition {condition} is false)")
            continue
        step = steps.get(resource["Type"])
        if step is None:
            skipped.append(f"{logical_id} ({resource['Type']})")
            continue
        try:
            properties = resolver.resolve(resource.get("Properties", {}))
        except ProvisioningError:
            if steps is BUILDERS:
                raise
            continue  # it refers to something not found, so it cannot exist either
        found = step(properties, clients, region)
        if found is None:
            continue
        resolver.physical_ids[logical_id], resolver.attributes[logical_id] = found
    outputs = {}
    for key, output in template.get("Outputs", {}).items():
        try:
            outputs[key] = str(resolver.resolve(output["Value"]))
        except ProvisioningError:
            continue  # an output of a skipped resource
    return StageResources(stage, dict(resolver.physical_ids), outputs, skipped)


# What CloudFormation can import into a stack, and the identifier it names each one by.
IMPORT_IDENTIFIERS = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Cognito::UserPool": "UserPoolId",
    "AWS::SecretsManager::Secret": "Id",  # pragma: allowlist secret
}


@dataclass(frozen=True)
class RetainedResource:
    """A resource of the template that outlived its stack (DeletionPolicy: Retain)."""

    logical_id: str
    resource_type: str
    physical_id: str

    @property
    def identifier(self) -> dict[str, str]:
        """How a CloudFormation import names this resource."""
        return {IMPORT_IDENTIFIERS[self.resource_type]: self.physical_id}


def retained_resources(
    project: ProjectConfig, stage: str, clients: ClientFactory
) -> list[RetainedResource]:
    """The stage's retained resources that exist, by name, with CloudFormation's import identifier.

    After a teardown that kept the data, a new stack must import these: creating them
    again would fail on their names, or (a user pool) make a second, empty one.
    """
    template = _template(project)["Resources"]
    finders = {kind: FINDERS[kind] for kind in IMPORT_IDENTIFIERS}
    found = _apply(project, stage, clients, finders)
    return [
        RetainedResource(logical_id, template[logical_id]["Type"], physical_id)
        for logical_id, physical_id in found.physical_ids.items()
        if template[logical_id].get("DeletionPolicy") == "Retain"
    ]


# What holds users' data: removed only when asked (CloudFormation retains them too).
DATA_TYPES = tuple(IMPORT_IDENTIFIERS)


def remove_stage(
    project: ProjectConfig, resources: StageResources, clients: ClientFactory, delete_data: bool
) -> None:
    """Remove what `provision_stage` built; tables, the user pool and the secret only if
    `delete_data`."""
    template = _template(project)
    for logical_id, physical_id in reversed(resources.physical_ids.items()):
        kind = template["Resources"][logical_id]["Type"]
        if kind in DATA_TYPES and not delete_data:
            continue
        delete_resource(kind, physical_id, clients)


def delete_resource(kind: str, physical_id: str, clients: ClientFactory) -> None:
    """Delete one resource of a type the local cloud builds (or a retained one on AWS)."""
    if kind == "AWS::DynamoDB::Table":
        clients("dynamodb").delete_table(TableName=physical_id)
    elif kind == "AWS::Cognito::UserPool":
        # Its clients and groups go with it.
        clients("cognito-idp").delete_user_pool(UserPoolId=physical_id)
    elif kind == "AWS::Cognito::IdentityPool":
        clients("cognito-identity").delete_identity_pool(IdentityPoolId=physical_id)
    elif kind == "AWS::IAM::Role":
        clients("iam").delete_role(RoleName=physical_id)
    elif kind == "AWS::SNS::Topic":
        clients("sns").delete_topic(TopicArn=physical_id)
    elif kind == "AWS::Logs::LogGroup":
        # Its metric filters go with it.
        clients("logs").delete_log_group(logGroupName=physical_id)
    elif kind == "AWS::CloudWatch::Alarm":
        clients("cloudwatch").delete_alarms(AlarmNames=[physical_id])
    elif kind == "AWS::SQS::Queue":
        clients("sqs").delete_queue(QueueUrl=physical_id)
    elif kind == "AWS::SecretsManager::Secret":
        # Asked for by --delete-data: no recovery window, so the stage can be made again.
        clients("secretsmanager").delete_secret(
            SecretId=physical_id, ForceDeleteWithoutRecovery=True
        )
