"""Reading the CloudFormation templates of infra/ without losing their short-form tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    """A safe loader that keeps `!Ref x` as `{"Ref": "x"}` and `!Sub s` as `{"Fn::Sub": s}`."""


def _tagged(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = tag_suffix if tag_suffix in ("Ref", "Condition") else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tagged)


def load_template(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation YAML template into plain dicts and lists."""
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    if not isinstance(loaded, dict) or "Resources" not in loaded:
        raise ValueError(f"{path} is not a CloudFormation template (no Resources)")
    return loaded


def output_key(service: str) -> str:
    """The stage stack's output that names a service's table: `notes` -> `NotesTableName`."""
    return "".join(part.capitalize() for part in service.split("_")) + "TableName"


def stream_output_key(service: str) -> str:
    """The stage stack's output that holds the ARN of a service's table stream."""
    return output_key(service).removesuffix("Name") + "StreamArn"


def failure_queue_output_key(service: str, attribute: str = "Arn") -> str:
    """The stage stack's output with the ARN (or, with "Url", the URL) of the queue a
    service's stream handler sends the batches it gave up on to."""
    return output_key(service).removesuffix("TableName") + "StreamFailureQueue" + attribute
