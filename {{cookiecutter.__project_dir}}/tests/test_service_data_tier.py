"""A service packaged for a stage with SQL and search, proven offline as the other service
stacks are: Chalice's SAM template, transformed by aws-sam-translator into the
CloudFormation AWS would deploy, linted by cfn-lint, and asserted on property by property.
No Aurora, RDS Proxy or OpenSearch is reached: these hold the wiring only."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.cfn_template import load_template
from {{ cookiecutter.project_slug }}_devkit.sam_template import VPC_ACCESS_POLICY, with_code_uri
from {{ cookiecutter.project_slug }}_devkit.sam_translation import cfn_lint, sam_transform
from {{ cookiecutter.project_slug }}_devkit.service_package import package_service

pytestmark = pytest.mark.packaging
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")


@pytest.fixture(scope="module")
def transformed(
    tmp_path_factory: pytest.TempPathFactory, project: ProjectConfig
) -> dict[str, dict[str, Any]]:
    """The first service's CloudFormation for its first stage, plain and with SQL and search."""
    plain = next(iter(project.stages.values()))
    stages = {
        "plain": plain,
        "data": dataclasses.replace(
            plain, sql_vpc_id="vpc-0123456789abcdef0", sql_subnet_ids=SUBNETS, search=True
        ),
    }
    service = project.services[0]
    result = {}
    for kind, stage in stages.items():
        out = tmp_path_factory.mktemp(kind)
        package = package_service(project, stage, service, out, None, lambda line: None)
        sam = with_code_uri(package.template(), f"s3://artifacts/{service}/deployment.zip")
        result[kind] = {"sam": sam, "cloudformation": sam_transform(sam, stage.region)}
    return result


def _of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def _import(project: ProjectConfig, output: str) -> dict[str, str]:
    stage = next(iter(project.stages))
    return {"Fn::ImportValue": f"{project.stack_name(stage)}-{output}"}


def test_the_data_tier_templates_pass_cfn_lint(
    transformed: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    paths = []
    for kind, templates in transformed.items():
        for form, template in templates.items():
            path = tmp_path / f"{kind}-{form}.json"
            path.write_text(json.dumps(template))
            paths.append(path)
    assert cfn_lint(paths) == ""


def test_every_function_joins_the_sql_subnets_in_the_group_the_proxy_admits(
    transformed: dict[str, dict[str, Any]], project: ProjectConfig
) -> None:
    functions = _of_type(transformed["data"]["cloudformation"], "AWS::Lambda::Function")
    assert len(functions) >= 2
    for function in functions.values():
        assert function["Properties"]["VpcConfig"] == {
            "SecurityGroupIds": [_import(project, "ServiceSecurityGroupId")],
            "SubnetIds": {"Fn::Split": [",", _import(project, "DatabaseSubnetIds")]},
        }
    # ...and that group is the one the stage stack's proxy admits on PostgreSQL's port.
    stage = load_template(project.root / "infra" / "stage.yaml")
    assert stage["Outputs"]["ServiceSecurityGroupId"]["Value"] == {"Ref": "ServiceSecurityGroup"}
    ingress = stage["Resources"]["DatabaseIngressFromServices"]["Properties"]
    assert ingress["SourceSecurityGroupId"] == {"Ref": "ServiceSecurityGroup"}
    assert ingress["GroupId"] == {"Ref": "DatabaseSecurityGroup"}
    assert (ingress["FromPort"], ingress["ToPort"]) == (5432, 5432)
    proxy = stage["Resources"]["DatabaseProxy"]["Properties"]
    assert proxy["VpcSecurityGroupIds"] == [{"Ref": "DatabaseSecurityGroup"}]


def test_functions_learn_where_the_proxy_and_the_secret_are_never_a_password(
    transformed: dict[str, dict[str, Any]], project: ProjectConfig
) -> None:
    for function in _of_type(
        transformed["data"]["cloudformation"], "AWS::Lambda::Function"
    ).values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["APP_DATABASE_SECRET_ARN"] == _import(project, "DatabaseSecretArn")
        assert variables["APP_DATABASE_HOST"] == _import(project, "DatabaseProxyEndpoint")
        assert variables["APP_DATABASE_NAME"] == "app"
        assert "APP_DATABASE_URL" not in variables
        assert "resolve:secretsmanager" not in json.dumps(variables)
        assert variables["APP_SEARCH_URL"] == _import(project, "SearchCollectionEndpoint")


def _role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    properties = template["Resources"][role]["Properties"]
    return [
        statement
        for policy in properties["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def _function_roles(template: dict[str, Any]) -> list[str]:
    return [
        function["Properties"]["Role"]["Fn::GetAtt"][0]
        for function in _of_type(template, "AWS::Lambda::Function").values()
    ]


def test_each_function_role_may_read_the_database_secret_and_nothing_else_of_secrets(
    transformed: dict[str, dict[str, Any]], project: ProjectConfig
) -> None:
    template = transformed["data"]["cloudformation"]
    for role in _function_roles(template):
        reading = [
            statement
            for statement in _role_statements(template, role)
            if any("secretsmanager" in action for action in _actions(statement))
        ]
        assert [(s["Action"], s["Resource"]) for s in reading] == [
            ("secretsmanager:GetSecretValue", _import(project, "DatabaseSecretArn"))
        ]
        # A function in a VPC makes network interfaces: AWS's own policy for exactly that.
        managed = template["Resources"][role]["Properties"]["ManagedPolicyArns"]
        assert managed == [{"Fn::Sub": VPC_ACCESS_POLICY}]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_each_function_role_may_call_the_stages_collection_only(
    transformed: dict[str, dict[str, Any]], project: ProjectConfig
) -> None:
    template = transformed["data"]["cloudformation"]
    for role in _function_roles(template):
        searching = [
            statement
            for statement in _role_statements(template, role)
            if any(action.startswith("aoss:") for action in _actions(statement))
        ]
        assert [(s["Action"], s["Resource"]) for s in searching] == [
            ("aoss:APIAccessAll", _import(project, "SearchCollectionArn"))
        ]


def test_the_collections_data_access_policy_names_every_function_role(
    transformed: dict[str, dict[str, Any]], project: ProjectConfig
) -> None:
    template = transformed["data"]["cloudformation"]
    (policy,) = _of_type(template, "AWS::OpenSearchServerless::AccessPolicy").values()
    text, variables = policy["Properties"]["Policy"]["Fn::Sub"]
    named = {value["Fn::GetAtt"][0] for value in variables.values()}
    assert named == set(_function_roles(template))
    (statement,) = json.loads(text)
    assert len(statement["Principal"]) == len(named)
    stage, service = next(iter(project.stages)), project.services[0]
    (index_rule,) = [rule for rule in statement["Rules"] if rule["ResourceType"] == "index"]
    assert index_rule["Resource"] == [f"index/{project.stack_name(stage)}/{stage}-{service}"]


def test_the_data_tier_imports_are_exports_of_the_stage_stack(
    transformed: dict[str, dict[str, Any]], project: ProjectConfig
) -> None:
    stage_template = load_template(project.root / "infra" / "stage.yaml")
    exported = {
        output["Export"]["Name"]["Fn::Sub"].replace("${AWS::StackName}-", ""): output
        for output in stage_template["Outputs"].values()
        if "Export" in output
    }
    text = json.dumps(transformed["data"]["cloudformation"])
    for output, condition in [
        ("ServiceSecurityGroupId", "HasSql"), ("DatabaseSubnetIds", "HasSql"),
        ("DatabaseSecretArn", "HasSql"), ("DatabaseProxyEndpoint", "HasSql"),
        ("SearchCollectionEndpoint", "HasSearch"), ("SearchCollectionArn", "HasSearch"),
    ]:  # fmt: skip
        assert json.dumps(_import(project, output)) in text, output
        assert exported[output]["Condition"] == condition


def test_a_stage_without_sql_or_search_gets_no_vpc_no_grants_and_no_variables(
    transformed: dict[str, dict[str, Any]],
) -> None:
    template = transformed["plain"]["cloudformation"]
    text = json.dumps(template)
    for absent in ("VpcConfig", "APP_DATABASE_SECRET_ARN", "APP_DATABASE_HOST", "APP_SEARCH_URL",
                   "aoss:", "secretsmanager:", "AWSLambdaVPCAccessExecutionRole"):  # fmt: skip
        assert absent not in text, absent
    assert not _of_type(template, "AWS::OpenSearchServerless::AccessPolicy")
