"""One packaged service (`chalice package`'s sam.json and zip) applied to a stage through the APIs.

Chalice's template names no functions and points API Gateway at the bare
function, so a new version would take all traffic at once. This applies it the
way `chalice deploy` does, through the service APIs, with three differences:
functions get Chalice's own names (`<app>-<stage>`, `<app>-<stage>-<handler>`,
which infra/'s log groups expect); each change is published as a version behind
the `live` alias; and the REST API's integration, its invoke permission and the
stream mappings target the alias, so the alias's weights decide who serves.
Every step compares before it writes: deploying what is deployed changes nothing.
The same calls work on AWS and on moto (which has no SAM transform and no
Lambda aliases in its CloudFormation).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .canary_release import ALIAS
from .stage_resources import ClientFactory

# Tag on each function: a digest of the zip's entries and the configuration it was
# deployed with. Zips of the same sources differ in timestamps, so bytes cannot tell.
CONTENT_TAG = "deployed-content"
API_STAGE = "api"
PERMISSION_ID = "api-gateway-invokes-live"
_CHALICE_TAG = re.compile(r"app=(?P<app>[^:]+)")
_SUB_NAME = re.compile(r"\$\{([^}]+)\}")
# IAM is eventually consistent: a new role may not be assumable by Lambda for a while.
ROLE_PROPAGATION_SECONDS = 60.0


class DeployError(Exception):
    """The service cannot be deployed as packaged; the message says why."""


@dataclass(frozen=True)
class ServicePackage:
    """What `invoke package` wrote for one service and stage."""

    service: str
    template: dict[str, Any]
    archive: Path

    @classmethod
    def read(cls, service: str, folder: Path) -> ServicePackage:
        """The package in `folder` (its sam.json and deployment.zip)."""
        for name in ("sam.json", "deployment.zip"):
            if not (folder / name).is_file():
                raise DeployError(f"{folder / name} is missing: run invoke package first")
        template = json.loads((folder / "sam.json").read_text(encoding="utf-8"))
        return cls(service, template, folder / "deployment.zip")

    @property
    def app_name(self) -> str:
        """The Chalice app's name, from the tag Chalice puts on every function."""
        for resource in self.functions().values():
            found = _CHALICE_TAG.search(
                resource["Properties"].get("Tags", {}).get("aws-chalice", "")
            )
            if found:
                return found["app"]
        raise DeployError(f"{self.service}: sam.json has no Chalice function")

    def functions(self) -> dict[str, dict[str, Any]]:
        """The template's functions by logical id."""
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == "AWS::Serverless::Function"
        }

    def function_name(self, logical_id: str, stage: str) -> str:
        """Chalice's function name: `<app>-<stage>` for the API handler, else `-<handler>` added."""
        handler = self.functions()[logical_id]["Properties"]["Handler"]
        if logical_id == "APIHandler":
            return f"{self.app_name}-{stage}"
        return f"{self.app_name}-{stage}-{handler.split('.', 1)[1]}"

    def role_name(self, logical_id: str, stage: str) -> str:
        """The IAM role a template role becomes: `<app>-<stage>-<logical id>`, cut at 64."""
        return f"{self.app_name}-{stage}-{logical_id}"[:64]

    def entries_digest(self) -> str:
        """A digest of the zip's file names and contents (CRCs), blind to timestamps."""
        digest = hashlib.sha256()
        with zipfile.ZipFile(self.archive) as archive:
            for info in sorted(archive.infolist(), key=lambda item: item.filename):
                digest.update(f"{info.filename}\0{info.CRC}\0{info.file_size}\n".encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class DeployedService:
    """Where a deployed service answers, and which version each function should serve."""

    service: str
    endpoint_url: str
    versions: dict[str, str]


class ServiceDeployer:
    """Applies service packages to one stage; `progress` hears about every change it makes."""

    def __init__(
        self,
        clients: ClientFactory,
        region: str,
        stage: str,
        api_url: Callable[[str], str],
        progress: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._lambda = clients("lambda")
        self._iam = clients("iam")
        self._apigateway = clients("apigateway")
        self._account = clients("sts").get_caller_identity()["Account"]
        self._region = region
        self._stage = stage
        self._api_url = api_url
        self._progress = progress
        self._sleep = sleep

    # -- functions -------------------------------------------------------------

    def publish(self, package: ServicePackage, environment: dict[str, str]) -> dict[str, str]:
        """Create or update the service's roles and functions; return the version each should serve.

        `environment` (the stage's outputs: user pool, stream ARN) is added to what
        the template gives each function. A function whose code and configuration
        are what its alias serves keeps that version; nothing is published.
        """
        roles = {
            logical_id: self._ensure_role(package.role_name(logical_id, self._stage), resource)
            for logical_id, resource in package.template["Resources"].items()
            if resource["Type"] == "AWS::IAM::Role"
        }
        code = package.archive.read_bytes()
        entries = package.entries_digest()
        versions = {}
        for logical_id, resource in package.functions().items():
            properties = resource["Properties"]
            role_id = properties["Role"]["Fn::GetAtt"][0]
            configuration = {
                "Runtime": properties["Runtime"],
                "Handler": properties["Handler"],
                "Role": roles[role_id],
                "Timeout": properties.get("Timeout", 60),
                "MemorySize": properties.get("MemorySize", 128),
                "Environment": {
                    "Variables": {
                        **properties.get("Environment", {}).get("Variables", {}),
                        **environment,
                    }
                },
            }
            name = package.function_name(logical_id, self._stage)
            versions[name] = self._ensure_function(name, configuration, code, entries)
        return versions

    def _ensure_role(self, name: str, resource: dict[str, Any]) -> str:
        properties = resource["Properties"]
        trust = json.dumps(properties["AssumeRolePolicyDocument"], sort_keys=True)
        try:
            arn = str(self._iam.get_role(RoleName=name)["Role"]["Arn"])
        except self._iam.exceptions.NoSuchEntityException:
            arn = self._iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=trust,
                Tags=[{"Key": "stage", "Value": self._stage}],
            )["Role"]["Arn"]
            self._progress(f"role {name}: created")
        for policy in properties.get("Policies", []):
            document = policy["PolicyDocument"]
            try:
                current = self._iam.get_role_policy(RoleName=name, PolicyName=policy["PolicyName"])
                unchanged = _as_document(current["PolicyDocument"]) == document
            except self._iam.exceptions.NoSuchEntityException:
                unchanged = False
            if not unchanged:
                self._iam.put_role_policy(
                    RoleName=name,
                    PolicyName=policy["PolicyName"],
                    PolicyDocument=json.dumps(document),
                )
                self._progress(f"role {name}: policy {policy['PolicyName']} written")
        return arn

    def _ensure_function(
        self, name: str, configuration: dict[str, Any], code: bytes, entries: str
    ) -> str:
        content = hashlib.sha256(
            f"{entries}\n{json.dumps(configuration, sort_keys=True)}".encode()
        ).hexdigest()
        try:
            function = self._lambda.get_function(FunctionName=name)
        except self._lambda.exceptions.ResourceNotFoundException:
            self._create_function(name, configuration, code, content)
            self._progress(f"{name}: created")
            return str(self._lambda.publish_version(FunctionName=name)["Version"])
        arn = function["Configuration"]["FunctionArn"]
        deployed = self._lambda.list_tags(Resource=arn).get("Tags", {}).get(CONTENT_TAG)
        published = self._latest_version(name)
        # The newest version holds this content even when the alias does not serve it
        # (a canary went back): releasing it again is what this deploy asks for.
        if deployed == content and published is not None:
            return published
        self._lambda.update_function_code(FunctionName=name, ZipFile=code)
        self._wait_until_updated(name)
        self._lambda.update_function_configuration(FunctionName=name, **configuration)
        self._wait_until_updated(name)
        self._lambda.tag_resource(Resource=arn, Tags={CONTENT_TAG: content})
        version = str(self._lambda.publish_version(FunctionName=name)["Version"])
        self._progress(f"{name}: updated, version {version} published")
        return version

    def _create_function(
        self, name: str, configuration: dict[str, Any], code: bytes, content: str
    ) -> None:
        deadline = time.monotonic() + ROLE_PROPAGATION_SECONDS
        while True:
            try:
                self._lambda.create_function(
                    FunctionName=name,
                    Code={"ZipFile": code},
                    Tags={CONTENT_TAG: content, "stage": self._stage},
                    **configuration,
                )
                break
            except self._lambda.exceptions.InvalidParameterValueException as error:
                if "role" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                self._sleep(3)
        self._wait_until_updated(name)

    def _wait_until_updated(self, name: str) -> None:
        for _ in range(60):
            state = self._lambda.get_function_configuration(FunctionName=name)
            if state.get("State", "Active") != "Pending" and (
                state.get("LastUpdateStatus", "Successful") != "InProgress"
            ):
                if state.get("State") == "Failed":
                    raise DeployError(
                        f"{name}: Lambda could not start it ({state.get('StateReason')})"
                    )
                return
            self._sleep(2)
        raise DeployError(f"{name}: still updating after 2 minutes")

    def _latest_version(self, name: str) -> str | None:
        numbers = [
            int(version["Version"])
            for page in self._lambda.get_paginator("list_versions_by_function").paginate(
                FunctionName=name
            )
            for version in page["Versions"]
            if version["Version"] != "$LATEST"
        ]
        return str(max(numbers)) if numbers else None

    # -- wiring: API, permission, streams ---------------------------------------

    def wire(self, package: ServicePackage, stream_arn: str | None) -> str:
        """Point the REST API and the stream mappings at the `live` aliases; return the API's URL.

        The aliases must exist (a first release creates them).
        """
        alias_arns = {
            logical_id: self._alias_arn(package.function_name(logical_id, self._stage))
            for logical_id in package.functions()
        }
        endpoint = ""
        for resource in package.template["Resources"].values():
            if resource["Type"] == "AWS::Serverless::Api":
                endpoint = self._ensure_api(package, resource, alias_arns)
        for logical_id, resource in package.functions().items():
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "DynamoDB":
                    if not stream_arn:
                        raise DeployError(f"{package.service}: the stage has no table stream")
                    self._ensure_stream_mapping(alias_arns[logical_id], stream_arn, event)
        return endpoint

    def _alias_arn(self, function: str) -> str:
        # From Lambda itself: beside LocalStack, Lambda and STS may answer for two accounts.
        arn = self._lambda.get_function_configuration(FunctionName=function)["FunctionArn"]
        return f"{arn}:{ALIAS}"

    def _ensure_api(
        self, package: ServicePackage, resource: dict[str, Any], alias_arns: dict[str, str]
    ) -> str:
        name = f"{package.app_name}-{self._stage}"
        properties = resource["Properties"]
        definition = api_definition(properties["DefinitionBody"], alias_arns, self._region)
        digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:16]
        # The description records what is deployed, so an unchanged API is left alone.
        description = f"{name} ({digest})"
        existing = self.find_api(name)
        if existing is None:
            # The digest goes in once the routes are there, so an API a failed deploy
            # left half built is rebuilt next time, not taken as deployed.
            api_id = self._apigateway.create_rest_api(
                name=name,
                description=f"{name} (being built)",
                binaryMediaTypes=definition.get("x-amazon-apigateway-binary-media-types", []),
                endpointConfiguration={"types": [_endpoint_type(properties)]},
            )["id"]
            self._build_routes(api_id, definition)
            self._progress(f"API {name}: created")
        elif existing.get("description") != description:
            api_id = existing["id"]
            self._clear_routes(api_id)
            self._build_routes(api_id, definition)
            self._progress(f"API {name}: routes replaced")
        else:
            api_id = ""
        if api_id:
            self._apigateway.create_deployment(restApiId=api_id, stageName=API_STAGE)
            self._apigateway.update_rest_api(
                restApiId=api_id,
                patchOperations=[{"op": "replace", "path": "/description", "value": description}],
            )
            self._progress(f"API {name}: deployed to stage {API_STAGE}")
        found = self.find_api(name)
        if found is None:
            raise DeployError(f"API {name} vanished while it was deployed")
        self._ensure_invoke_permission(alias_arns["APIHandler"], found["id"])
        return self._api_url(found["id"])

    def _build_routes(self, api_id: str, definition: dict[str, Any]) -> None:
        """Create the definition's resources and Lambda proxy methods one call at a time.

        Importing the swagger would be one call, but moto imports OpenAPI 3 only and
        Chalice writes swagger 2.0; these calls work on both.
        """
        resources = {"/": self._root_id(api_id)}
        for path in sorted(definition["paths"]):
            parent = "/"
            for part in [part for part in path.split("/") if part]:
                current = f"{parent.rstrip('/')}/{part}"
                if current not in resources:
                    resources[current] = self._apigateway.create_resource(
                        restApiId=api_id, parentId=resources[parent], pathPart=part
                    )["id"]
                parent = current
            for method, operation in definition["paths"][path].items():
                integration = operation.get("x-amazon-apigateway-integration", {})
                if integration.get("type") != "aws_proxy":
                    raise DeployError(
                        f"{method.upper()} {path}: only Lambda proxy integrations are deployed "
                        f"(this one is {integration.get('type', 'missing')})"
                    )
                self._apigateway.put_method(
                    restApiId=api_id,
                    resourceId=resources[path],
                    httpMethod=method.upper(),
                    authorizationType="NONE",
                )
                self._apigateway.put_integration(
                    restApiId=api_id,
                    resourceId=resources[path],
                    httpMethod=method.upper(),
                    type="AWS_PROXY",
                    integrationHttpMethod=integration["httpMethod"],
                    uri=integration["uri"],
                )

    def _clear_routes(self, api_id: str) -> None:
        root = self._root_id(api_id)
        for page in self._apigateway.get_paginator("get_resources").paginate(restApiId=api_id):
            for item in page["items"]:
                if item.get("parentId") == root:
                    # Its children go with it.
                    self._apigateway.delete_resource(restApiId=api_id, resourceId=item["id"])
                elif item["id"] == root:
                    for method in item.get("resourceMethods", {}):
                        self._apigateway.delete_method(
                            restApiId=api_id, resourceId=root, httpMethod=method
                        )

    def _root_id(self, api_id: str) -> str:
        for page in self._apigateway.get_paginator("get_resources").paginate(restApiId=api_id):
            for item in page["items"]:
                if item["path"] == "/":
                    return str(item["id"])
        raise DeployError(f"API {api_id} has no root resource")

    def integration_uris(self, app_name: str) -> dict[str, str]:
        """What each deployed method of the app's API calls: `METHOD /path` -> integration URI."""
        api = self.find_api(f"{app_name}-{self._stage}")
        if api is None:
            return {}
        uris = {}
        for page in self._apigateway.get_paginator("get_resources").paginate(
            restApiId=api["id"], embed=["methods"]
        ):
            for item in page["items"]:
                for method in item.get("resourceMethods", {}):
                    integration = self._apigateway.get_integration(
                        restApiId=api["id"], resourceId=item["id"], httpMethod=method
                    )
                    uris[f"{method} {item['path']}"] = integration["uri"]
        return uris

    def find_api(self, name: str) -> dict[str, Any] | None:
        """The REST API called `name`, if there is one."""
        for page in self._apigateway.get_paginator("get_rest_apis").paginate():
            for api in page["items"]:
                if api["name"] == name:
                    return dict(api)
        return None

    def _ensure_invoke_permission(self, alias_arn: str, api_id: str) -> None:
        source = f"arn:aws:execute-api:{self._region}:{self._account}:{api_id}/*"
        try:
            policy = json.loads(self._lambda.get_policy(FunctionName=alias_arn)["Policy"])
            statements = policy.get("Statement", [])
        except self._lambda.exceptions.ResourceNotFoundException:
            statements = []
        if any(statement.get("Sid") == PERMISSION_ID for statement in statements):
            return
        self._lambda.add_permission(
            FunctionName=alias_arn,
            StatementId=PERMISSION_ID,
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=source,
        )
        self._progress(f"{alias_arn}: API Gateway may invoke it")

    def _ensure_stream_mapping(
        self, alias_arn: str, stream_arn: str, event: dict[str, Any]
    ) -> None:
        mappings = self._lambda.list_event_source_mappings(
            FunctionName=alias_arn, EventSourceArn=stream_arn
        )["EventSourceMappings"]
        if mappings:
            return
        properties = event["Properties"]
        self._lambda.create_event_source_mapping(
            FunctionName=alias_arn,
            EventSourceArn=stream_arn,
            BatchSize=properties.get("BatchSize", 100),
            StartingPosition=properties.get("StartingPosition", "LATEST"),
        )
        self._progress(f"{alias_arn}: reads {stream_arn.split('/')[1]}'s stream")

    # -- removal -----------------------------------------------------------------

    def remove(self, app_name: str) -> None:
        """Remove the app's API, stream mappings, functions and roles in this stage, nothing else.

        Functions and roles are found by name and confirmed by their `stage` tag, since
        one stage's name can start another's (`dev`, `dev-2`).
        """
        api = self.find_api(f"{app_name}-{self._stage}")
        if api is not None:
            self._apigateway.delete_rest_api(restApiId=api["id"])
            self._progress(f"API {api['name']}: deleted")
        for name in self._own_functions(app_name):
            for qualifier in (name, self._alias_arn(name)):
                for mapping in self._lambda.list_event_source_mappings(FunctionName=qualifier)[
                    "EventSourceMappings"
                ]:
                    self._lambda.delete_event_source_mapping(UUID=mapping["UUID"])
            # Its versions and aliases go with it.
            self._lambda.delete_function(FunctionName=name)
            self._progress(f"{name}: deleted")
        for name in self._own_roles(app_name):
            for policy in self._iam.list_role_policies(RoleName=name)["PolicyNames"]:
                self._iam.delete_role_policy(RoleName=name, PolicyName=policy)
            self._iam.delete_role(RoleName=name)
            self._progress(f"role {name}: deleted")

    def _own_functions(self, app_name: str) -> list[str]:
        prefix = f"{app_name}-{self._stage}"
        names = [
            function
            for page in self._lambda.get_paginator("list_functions").paginate()
            for function in page["Functions"]
            if function["FunctionName"] == prefix
            or function["FunctionName"].startswith(f"{prefix}-")
        ]
        return [
            function["FunctionName"]
            for function in names
            if self._lambda.list_tags(Resource=function["FunctionArn"]).get("Tags", {}).get("stage")
            == self._stage
        ]

    def _own_roles(self, app_name: str) -> list[str]:
        prefix = f"{app_name}-{self._stage}-"
        names = [
            role["RoleName"]
            for page in self._iam.get_paginator("list_roles").paginate()
            for role in page["Roles"]
            if role["RoleName"].startswith(prefix)
        ]
        return [
            name
            for name in names
            if {"Key": "stage", "Value": self._stage}
            in self._iam.list_role_tags(RoleName=name).get("Tags", [])
        ]


def api_definition(
    definition: dict[str, Any], alias_arns: dict[str, str], region: str
) -> dict[str, Any]:
    """Chalice's swagger with every Lambda integration pointed at the function's `live` alias.

    Chalice writes `${APIHandler.Arn}` (the bare function) into each integration's
    URI; left so, API Gateway would bypass the alias and a canary would carry no
    API traffic.
    """
    result = copy.deepcopy(definition)

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
                return _sub(value["Fn::Sub"])
            return {key: resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return value

    def _sub(text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.endswith(".Arn") and name[:-4] in alias_arns:
                return alias_arns[name[:-4]]
            known = {
                "AWS::Partition": "aws",
                "AWS::Region": region,
                "AWS::URLSuffix": "amazonaws.com",
            }
            if name in known:
                return known[name]
            raise DeployError(
                f"the API definition refers to {name}, which the deploy cannot resolve"
            )

        return _SUB_NAME.sub(replace, text)

    resolved: dict[str, Any] = resolve(result)
    return resolved


def _endpoint_type(properties: dict[str, Any]) -> str:
    # SAM takes the endpoint type as a string (Chalice's way) or as {"Type": ...}.
    configured = properties.get("EndpointConfiguration", "EDGE")
    return str(configured["Type"] if isinstance(configured, dict) else configured)


def _as_document(value: Any) -> Any:
    # IAM returns policy documents URL-decoded as dicts through boto3, or as text.
    return json.loads(value) if isinstance(value, str) else value
