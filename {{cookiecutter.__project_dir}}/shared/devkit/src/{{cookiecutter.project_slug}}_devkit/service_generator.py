"""Adding a service to the project: the one implementation behind `invoke service.new` and the
template's post-generation hook, so a service added later is made exactly as the template
makes the first ones.

A service is the skeleton beside this module (skeleton/service/, with `__service__` for
its name), its `.chalice/` stage files, and its block in each marked region of
infra/stage.yaml. Stages, prefix and regions come from invoke.yaml. Needs only the
standard library and PyYAML, which cookiecutter brings, because the hook loads this
file by path before the project's .venv exists.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SKELETON = Path(__file__).resolve().parent / "skeleton"
PLACEHOLDER = "__service__"
CAMEL_PLACEHOLDER = "__Service__"
STAGE_TEMPLATE = Path("infra") / "stage.yaml"
# The regions of infra/stage.yaml that hold one block per service: end marker -> fragment.
STAGE_REGIONS = {
    "  # services: resources end\n": "stage-resources.yaml",
    "  # services: outputs end\n": "stage-outputs.yaml",
}
SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Names a service folder cannot take without shadowing what Chalice or the project uses.
RESERVED_NAMES = frozenset({"app", "chalice", "chalicelib", "shared", "tests", "vendor"})
# Lambda function and IAM role names are limited to 64 characters; Chalice names
# them <prefix>-<service>-<stage>.
MAX_RESOURCE_NAME = 64


class ServiceError(Exception):
    """The service cannot be added; the message says why. Nothing was written."""


@dataclass(frozen=True)
class StageFacts:
    """What a service's stage files need to know of one stage."""

    name: str
    region: str
    log_level: str


@dataclass(frozen=True)
class ProjectFacts:
    """The project's names and stages, as invoke.yaml holds them."""

    prefix: str
    stages: tuple[StageFacts, ...]

    @classmethod
    def read(cls, root: Path) -> ProjectFacts:
        """Read invoke.yaml of the project at `root`."""
        raw = yaml.safe_load((root / "invoke.yaml").read_text(encoding="utf-8"))
        project = raw["project"]
        stages = tuple(
            StageFacts(
                name=name,
                region=str(values.get("region") or project["region"]),
                log_level=str(values.get("log_level", "INFO")),
            )
            for name, values in raw["stages"].items()
        )
        return cls(prefix=str(project["prefix"]), stages=stages)


def existing_services(root: Path) -> list[str]:
    """The project's services: folders of services/ that hold a Chalice app."""
    return sorted(path.parent.name for path in (root / "services").glob("*/app.py"))


def name_problems(name: str, existing: list[str], facts: ProjectFacts) -> list[str]:
    """Why `name` cannot be a new service of a project that has `existing`; empty if it can."""
    if not name:
        return ["a service needs a name (check the commas)"]
    if not SERVICE_NAME.fullmatch(name):
        return [f"service {name!r} is not a lower-case Python identifier ([a-z][a-z0-9_]*)"]
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return [f"service {name!r} is a Python keyword"]
    if name in RESERVED_NAMES:
        return [f"service {name!r} is reserved; pick another name"]
    if name in existing:
        return [f"service {name!r} exists already"]
    longest = f"{facts.prefix}-{name}-{max((stage.name for stage in facts.stages), key=len)}"
    if len(longest) > MAX_RESOURCE_NAME:
        return [
            f"resource names such as {longest!r} exceed AWS's {MAX_RESOURCE_NAME} characters; "
            "shorten the service name"
        ]
    return []


def answer_problems(services: list[str], facts: ProjectFacts) -> list[str]:
    """Why the template's `services` answer (already split at commas) cannot be generated."""
    if not services:
        return ["services must name at least one service"]
    problems = [
        problem for name in dict.fromkeys(services) for problem in name_problems(name, [], facts)
    ]
    duplicates = sorted({name for name in services if name and services.count(name) > 1})
    if duplicates:
        problems.append(f"services are listed twice: {', '.join(duplicates)}")
    return problems


def camel_case(service: str) -> str:
    """The CloudFormation logical id prefix of a service: `user_prefs` -> `UserPrefs`."""
    return "".join(part.capitalize() for part in service.split("_"))


def chalice_config(prefix: str, service: str, stages: tuple[StageFacts, ...]) -> dict[str, Any]:
    """The service's .chalice/config.json: one entry per stage, naming that stage's resources."""
    return {
        "version": "2.0",
        "app_name": f"{prefix}-{service}",
        "autogen_policy": False,
        "lambda_memory_size": 256,
        "lambda_timeout": 10,
        "stages": {
            stage.name: {
                "api_gateway_stage": "api",
                "iam_policy_file": f"policy-{stage.name}.json",
                "environment_variables": {
                    "APP_STAGE": stage.name,
                    "APP_SERVICE": service,
                    "APP_REGION": stage.region,
                    "APP_TABLE_NAME": f"{prefix}-{stage.name}-{service}",
                    "APP_CHANGE_LOG_TABLE_NAME": f"{prefix}-{stage.name}-{service}-changes",
                    "APP_SESSIONS_TABLE_NAME": f"{prefix}-{stage.name}-sessions",
                    "APP_LOG_LEVEL": stage.log_level,
                },
            }
            for stage in stages
        },
    }


def iam_policy(prefix: str, service: str, stage: StageFacts) -> dict[str, Any]:
    """Least privilege for one service in one stage: its own table and stream, its items of
    the stage's sessions table, its change log, its stream failure queue, and its logs."""
    table = f"arn:aws:dynamodb:{stage.region}:*:table/{prefix}-{stage.name}-{service}"
    failure_queue = f"arn:aws:sqs:{stage.region}:*:{prefix}-{stage.name}-{service}-stream-failures"
    sessions = f"arn:aws:dynamodb:{stage.region}:*:table/{prefix}-{stage.name}-sessions"
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
                "Sid": "OwnSessions",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ],
                "Resource": sessions,
                # Only the partitions that start with the service's name (its scopes).
                "Condition": {
                    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{service}#*"]}
                },
            },
            {
                # Written by the stream handler, conditionally (a replay changes nothing).
                "Sid": "OwnChangeLog",
                "Effect": "Allow",
                "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
                "Resource": f"{table}-changes",
            },
            {
                # The stream mapping's on-failure destination sends with the function's
                # role; SAM adds this only to roles it makes, and Chalice brings its own.
                "Sid": "OwnStreamFailureQueue",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": failure_queue,
            },
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": (
                    f"arn:aws:logs:{stage.region}:*:log-group:"
                    f"/aws/lambda/{prefix}-{service}-{stage.name}*"
                ),
            },
        ],
    }


def _named(text: str, service: str) -> str:
    return text.replace(CAMEL_PLACEHOLDER, camel_case(service)).replace(PLACEHOLDER, service)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2) + "\n"


def planned_files(root: Path, service: str, facts: ProjectFacts) -> dict[Path, str]:
    """Every file the service adds or changes, relative to `root`, with its new content.

    Raises ServiceError when infra/stage.yaml lacks a region marker.
    """
    planned: dict[Path, str] = {}
    skeleton = SKELETON / "service"
    target = Path("services") / service
    for source in sorted(skeleton.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = Path(_named(str(source.relative_to(skeleton)), service))
        planned[target / relative] = _named(source.read_text(encoding="utf-8"), service)
    planned[target / ".chalice" / "config.json"] = _json(
        chalice_config(facts.prefix, service, facts.stages)
    )
    for stage in facts.stages:
        planned[target / ".chalice" / f"policy-{stage.name}.json"] = _json(
            iam_policy(facts.prefix, service, stage)
        )
    stage_template = (root / STAGE_TEMPLATE).read_text(encoding="utf-8")
    for marker, fragment in STAGE_REGIONS.items():
        if stage_template.count(marker) != 1:
            raise ServiceError(
                f"{STAGE_TEMPLATE} needs exactly one line {marker.strip()!r} to add the "
                f"service's block; add it, or copy skeleton/{fragment} there by hand"
            )
        block = _named((SKELETON / fragment).read_text(encoding="utf-8"), service)
        stage_template = stage_template.replace(marker, block + marker)
    planned[STAGE_TEMPLATE] = stage_template
    return planned


def add_service(root: Path, service: str) -> list[Path]:
    """Add `service` to the project at `root`; return the files written, relative to `root`.

    Every check runs before anything is written: on ServiceError the project is unchanged.
    """
    facts = ProjectFacts.read(root)
    problems = name_problems(service, existing_services(root), facts)
    if problems:
        raise ServiceError("; ".join(problems))
    if (root / "services" / service).exists():
        raise ServiceError(f"services/{service} exists already; remove it or pick another name")
    planned = planned_files(root, service, facts)
    for relative, content in planned.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(content, encoding="utf-8")
        partial.replace(path)
    return list(planned)


def record_in_answers(root: Path, service: str) -> bool:
    """Add `service` to the `services` answer of .cruft.json, so `cruft update` renders it too.

    Returns False when the project has no .cruft.json (it was not made with cruft).
    """
    path = root / ".cruft.json"
    if not path.is_file():
        return False
    recorded = json.loads(path.read_text(encoding="utf-8"))
    answers = recorded["context"]["cookiecutter"]
    names = [name.strip() for name in str(answers.get("services", "")).split(",") if name.strip()]
    if service not in names:
        answers["services"] = ",".join([*names, service])
    partial = path.with_name(".cruft.json.partial")
    # As cruft writes it, so the file's diff is the one answer that changed.
    text = json.dumps(recorded, ensure_ascii=False, indent=2, separators=(",", ": "))
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(path)
    return True
