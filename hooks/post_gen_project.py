"""Finish the generated project: one folder per service, their stage configs, the answers.

Runs inside the new project folder. Every step is a small function that
tests/test_hooks.py calls on a folder of its own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

RENDERED_ANSWERS = r"""{{ cookiecutter | jsonify }}"""

SKELETON = Path("services") / "__service__"
PLACEHOLDER = "__service__"
# Keys cookiecutter adds that describe this machine, not the project.
MACHINE_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def split_list(raw: str) -> list[str]:
    """`"a, b"` -> `["a", "b"]` (the pre-generation hook has checked the names)."""
    return [part.strip() for part in raw.split(",")] if raw.strip() else []


def chalice_config(prefix: str, service: str, stages: list[str], region: str) -> dict[str, Any]:
    """The service's .chalice/config.json: one entry per stage, naming that stage's resources."""
    return {
        "version": "2.0",
        "app_name": f"{prefix}-{service}",
        "autogen_policy": False,
        "lambda_memory_size": 256,
        "lambda_timeout": 10,
        "stages": {
            stage: {
                "api_gateway_stage": "api",
                "iam_policy_file": f"policy-{stage}.json",
                "environment_variables": {
                    "APP_STAGE": stage,
                    "APP_SERVICE": service,
                    "APP_REGION": region,
                    "APP_TABLE_NAME": f"{prefix}-{stage}-{service}",
                    "APP_LOG_LEVEL": "DEBUG" if stage == stages[0] else "INFO",
                },
            }
            for stage in stages
        },
    }


def iam_policy(prefix: str, service: str, stage: str, region: str) -> dict[str, Any]:
    """Least privilege for one service in one stage: its own table, its stream and its logs."""
    table = f"arn:aws:dynamodb:{region}:*:table/{prefix}-{stage}-{service}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnTable",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Scan",
                    "dynamodb:Query",
                ],
                "Resource": table,
            },
            {
                "Sid": "OwnTableStream",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                "Resource": f"{table}/stream/*",
            },
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": (
                    f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{prefix}-{service}-{stage}*"
                ),
            },
        ],
    }


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def create_service(
    project: Path, service: str, prefix: str, stages: list[str], region: str
) -> Path:
    """Copy the skeleton to services/<service>/ with the name filled in, plus its stage files."""
    skeleton, target = project / SKELETON, project / "services" / service
    for source in sorted(skeleton.rglob("*")):
        if "__pycache__" in source.parts:
            continue
        relative = Path(str(source.relative_to(skeleton)).replace(PLACEHOLDER, service))
        destination = target / relative
        if source.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(
            source.read_text(encoding="utf-8").replace(PLACEHOLDER, service), encoding="utf-8"
        )
    write_json(target / ".chalice" / "config.json", chalice_config(prefix, service, stages, region))
    for stage in stages:
        write_json(
            target / ".chalice" / f"policy-{stage}.json",
            iam_policy(prefix, service, stage, region),
        )
    return target


def template_commit(template_dir: str) -> str | None:
    """The template's git commit, so `cruft update` knows what the project was made from."""
    try:
        result = subprocess.run(
            ["git", "-C", template_dir, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def write_answers(project: Path, answers: dict[str, Any]) -> None:
    """Record the answers in cruft's .cruft.json, without this machine's paths."""
    context = {key: value for key, value in answers.items() if key not in MACHINE_KEYS}
    write_json(
        project / ".cruft.json",
        {
            "template": answers.get("_template", ""),
            "commit": template_commit(str(answers.get("_repo_dir", ""))),
            "checkout": None,
            "context": {"cookiecutter": context},
            "directory": None,
            "skip": [".git", ".venv", ".env.*"],
        },
    )


def main() -> int:
    answers = json.loads(RENDERED_ANSWERS)
    project = Path.cwd()
    prefix = answers["project_slug"].replace("_", "-")
    stages = split_list(answers["stages"])
    for service in split_list(answers["services"]):
        create_service(project, service, prefix, stages, answers["aws_region"])
    shutil.rmtree(project / SKELETON)
    write_answers(project, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
