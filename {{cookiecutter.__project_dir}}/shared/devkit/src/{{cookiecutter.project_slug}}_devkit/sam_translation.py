"""AWS's own SAM transform and linter, run offline on the project's templates.

Neither emulator can deploy a SAM template with CodeDeploy (see the README), so the
service stacks are proven the way AWS CDK projects prove theirs: the template AWS
would deploy is produced here by aws-sam-translator, the library CloudFormation's
`AWS::Serverless-2016-10-31` transform runs, and tests assert on it; cfn-lint checks
both the SAM template and its plain CloudFormation output.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class _NoManagedPolicies:
    """SAM looks managed policy names up only for `Policies:`; Chalice writes roles instead."""

    def load(self) -> dict[str, str]:
        return {}


@contextlib.contextmanager
def _region(region: str) -> Iterator[None]:
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


def sam_transform(template: dict[str, Any], region: str) -> dict[str, Any]:
    """The plain CloudFormation template SAM's transform makes of `template` in `region`.

    Functions need an `s3://` CodeUri, as after upload (sam_template.with_code_uri).
    """
    from samtranslator.translator.transform import transform

    with _region(region):
        result: dict[str, Any] = transform(template, {}, _NoManagedPolicies())
    return result


def cfn_lint(paths: list[Path]) -> str:
    """cfn-lint's findings for the templates at `paths`; empty when they are clean."""
    linted = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    return (linted.stdout + linted.stderr).strip()
