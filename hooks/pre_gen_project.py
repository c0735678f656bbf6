"""Validate the cookiecutter answers before anything is generated.

Bad input prints one line and exits 1; cookiecutter then removes the half-made
project folder. The checks are plain functions so tests/test_hooks.py can call them.
Service names are checked by the post-generation hook, with the project's own
service generator, so `invoke service.new` applies the very same rules.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from typing import Any

# cookiecutter renders this file with Jinja first; the raw string survives any quotes.
RENDERED_ANSWERS = r"""{{ cookiecutter | jsonify }}"""

PACKAGE_NAME = re.compile(r"[a-z_][a-z0-9_]*")
STAGE_NAME = re.compile(r"[a-z][a-z0-9-]*")
MAX_STAGE_LENGTH = 16
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
AWS_REGIONS = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
        "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1",
        "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
        "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
        "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
    }
)  # fmt: skip


def split_list(raw: str) -> list[str]:
    """`"a, b"` -> `["a", "b"]`; an empty or blank string gives `[]`."""
    return [part.strip() for part in raw.split(",")] if raw.strip() else []


def slug_problems(slug: str) -> list[str]:
    if not PACKAGE_NAME.fullmatch(slug) or keyword.iskeyword(slug):
        return [
            f"project_slug {slug!r} is not a valid Python package name "
            "(lower-case letters, digits and _, not starting with a digit)"
        ]
    if slug in sys.stdlib_module_names:
        return [f"project_slug {slug!r} would shadow the standard library module {slug!r}"]
    return []


def stage_problems(stages: list[str], protected: list[str]) -> list[str]:
    if not stages:
        return ["stages must name at least one stage"]
    problems = [
        f"stage {name!r} must match [a-z][a-z0-9-]* and be at most {MAX_STAGE_LENGTH} characters"
        for name in stages
        if not STAGE_NAME.fullmatch(name) or len(name) > MAX_STAGE_LENGTH
    ]
    duplicates = sorted({name for name in stages if stages.count(name) > 1})
    if duplicates:
        problems.append(f"stages are listed twice: {', '.join(duplicates)}")
    problems += [
        f"protected stage {name!r} is not one of the stages ({', '.join(stages)})"
        for name in protected
        if name not in stages
    ]
    return problems


def problems(answers: dict[str, Any]) -> list[str]:
    """Every reason the answers cannot make a working project; empty if they can."""
    slug = str(answers["project_slug"])
    stages = split_list(str(answers["stages"]))
    found = []
    if not str(answers["project_name"]).strip():
        found.append("project_name must not be empty")
    found += slug_problems(slug)
    region = str(answers["aws_region"])
    if region not in AWS_REGIONS:
        found.append(f"aws_region {region!r} is not an AWS region (such as eu-west-1)")
    if str(answers["python_version"]) not in PYTHON_VERSIONS:
        found.append(
            f"python_version {answers['python_version']!r} "
            f"must be one of {', '.join(PYTHON_VERSIONS)}"
        )
    found += stage_problems(stages, split_list(str(answers["protected_stages"])))
    return found


def main() -> int:
    found = problems(json.loads(RENDERED_ANSWERS))
    if found:
        print(f"ERROR: {'; '.join(found)}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
