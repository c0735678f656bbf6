"""The stage's search collection in infra/stage.yaml: the properties that keep it private
and usable, asserted one by one (cfn-lint checks the rest of the schema)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.cfn_template import load_template

SEARCH = ("SearchEncryptionPolicy", "SearchNetworkPolicy", "SearchAccessPolicy", "SearchCollection")
NAMES = {"Project": "acme", "Stage": "dev"}
ROLES = "arn:aws:iam::111122223333:role/notes,arn:aws:iam::111122223333:role/profiles"


@pytest.fixture(scope="module")
def template(project: ProjectConfig) -> dict[str, Any]:
    return load_template(project.root / "infra" / "stage.yaml")


def policy(resource: dict[str, Any]) -> Any:
    """The resource's policy document as CloudFormation's Fn::Sub would render it."""
    sub = resource["Properties"]["Policy"]["Fn::Sub"]
    text, variables = (sub, {}) if isinstance(sub, str) else sub
    values = dict(NAMES)
    if "Principals" in variables:
        assert variables["Principals"] == {
            "Fn::Join": ['","', {"Fn::Split": [",", {"Ref": "SearchPrincipals"}]}]
        }
        values["Principals"] = '","'.join(ROLES.split(","))
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return json.loads(text)


def test_search_exists_only_when_principals_are_named(template: dict[str, Any]) -> None:
    assert template["Parameters"]["SearchPrincipals"]["Default"] == ""
    assert template["Conditions"]["HasSearch"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SearchPrincipals"}, ""]}]
    }
    for logical_id in SEARCH:
        assert template["Resources"][logical_id]["Condition"] == "HasSearch"


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


def test_the_access_policy_grants_the_named_roles_their_indexes_and_no_deletion(
    template: dict[str, Any],
) -> None:
    resource = template["Resources"]["SearchAccessPolicy"]

    assert resource["Properties"]["Type"] == "data"
    (statement,) = policy(resource)
    assert statement["Principal"] == ROLES.split(",")
    rules = {rule["ResourceType"]: rule for rule in statement["Rules"]}
    assert rules["index"]["Resource"] == ["index/acme-dev/*"]
    assert "aoss:WriteDocument" in rules["index"]["Permission"]
    assert "aoss:DeleteIndex" not in rules["index"]["Permission"]
    assert "aoss:*" not in rules["index"]["Permission"]
    assert rules["collection"]["Resource"] == ["collection/acme-dev"]


def test_the_collection_endpoint_is_exported_for_the_services(template: dict[str, Any]) -> None:
    output = template["Outputs"]["SearchCollectionEndpoint"]

    assert output["Condition"] == "HasSearch"
    assert output["Value"] == {"Fn::GetAtt": ["SearchCollection", "CollectionEndpoint"]}
    assert output["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-SearchCollectionEndpoint"}}
