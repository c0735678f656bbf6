"""The stage's search collection in infra/stage.yaml: the properties that keep it private
and usable, asserted one by one (cfn-lint checks the rest of the schema)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.cfn_template import load_template

SEARCH = ("SearchEncryptionPolicy", "SearchNetworkPolicy", "SearchCollection")
NAMES = {"Project": "acme", "Stage": "dev"}


@pytest.fixture(scope="module")
def template(project: ProjectConfig) -> dict[str, Any]:
    return load_template(project.root / "infra" / "stage.yaml")


def policy(resource: dict[str, Any]) -> Any:
    """The resource's policy document as CloudFormation's Fn::Sub would render it."""
    text = resource["Properties"]["Policy"]["Fn::Sub"]
    for name, value in NAMES.items():
        text = text.replace("${" + name + "}", value)
    return json.loads(text)


def test_search_exists_only_when_the_stage_turns_it_on(template: dict[str, Any]) -> None:
    # A collection bills per hour from creation: off unless invoke.yaml says `search: true`.
    assert template["Parameters"]["Search"]["Default"] == "off"
    assert template["Parameters"]["Search"]["AllowedValues"] == ["off", "on"]
    assert template["Conditions"]["HasSearch"] == {"Fn::Equals": [{"Ref": "Search"}, "on"]}
    for logical_id in SEARCH:
        assert template["Resources"][logical_id]["Condition"] == "HasSearch"
    # Who may use it is each service stack's own data access policy (test_service_data_tier).
    kinds = {resource["Type"] for resource in template["Resources"].values()}
    assert "AWS::OpenSearchServerless::AccessPolicy" not in kinds


def test_the_collection_is_a_search_collection_made_after_its_security_policies(
    template: dict[str, Any],
) -> None:
    collection = template["Resources"]["SearchCollection"]

    assert collection["Type"] == "AWS::OpenSearchServerless::Collection"
    assert collection["Properties"]["Type"] == "SEARCH"
    assert collection["Properties"]["Name"] == {"Fn::Sub": "${Project}-${Stage}"}
    assert set(collection["DependsOn"]) == {"SearchEncryptionPolicy", "SearchNetworkPolicy"}


def test_the_encryption_policy_covers_the_collection_with_an_aws_owned_key(
    template: dict[str, Any],
) -> None:
    resource = template["Resources"]["SearchEncryptionPolicy"]

    assert resource["Properties"]["Type"] == "encryption"
    assert policy(resource) == {
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/acme-dev"]}],
        "AWSOwnedKey": True,
    }


def test_the_network_policy_opens_the_collection_endpoint_only(template: dict[str, Any]) -> None:
    resource = template["Resources"]["SearchNetworkPolicy"]

    assert resource["Properties"]["Type"] == "network"
    (rule_set,) = policy(resource)
    # No dashboard rule: only the API endpoint, whose requests the access policy checks.
    assert rule_set["Rules"] == [
        {"ResourceType": "collection", "Resource": ["collection/acme-dev"]}
    ]
    assert rule_set["AllowFromPublic"] is True


def test_the_collection_endpoint_is_exported_for_the_services(template: dict[str, Any]) -> None:
    output = template["Outputs"]["SearchCollectionEndpoint"]

    assert output["Condition"] == "HasSearch"
    assert output["Value"] == {"Fn::GetAtt": ["SearchCollection", "CollectionEndpoint"]}
    assert output["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-SearchCollectionEndpoint"}}
    arn = template["Outputs"]["SearchCollectionArn"]
    assert arn["Value"] == {"Fn::GetAtt": ["SearchCollection", "Arn"]}
    assert arn["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-SearchCollectionArn"}}
