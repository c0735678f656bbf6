"""The project's own settings and stages, read from invoke.yaml: the one source of truth."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_FILE = "invoke.yaml"
_VPC = re.compile(r"vpc-[0-9a-f]{8,17}")
_SUBNET = re.compile(r"subnet-[0-9a-f]{8,17}")


@dataclass(frozen=True)
class StageConfig:
    """One stage: its name, whether changes need confirmation, and where it lives."""

    name: str
    protected: bool
    region: str
    log_level: str = "INFO"
    alert_email: str = ""
    deployment: str = "all-at-once"
    # For `deployment: canary`: the new version's share of traffic during the bake time.
    canary_percent: int = 10
    canary_minutes: float = 10.0
    # SnapStart on the published versions of the stage's functions (Python 3.12 and later).
    snapstart: bool = False
    # The SQL tier (infra/stage.yaml HasSql): the VPC and private subnets of Aurora and
    # RDS Proxy, which the services' functions join. Empty: no SQL on AWS.
    sql_vpc_id: str = ""
    sql_subnet_ids: tuple[str, ...] = ()
    # An OpenSearch Serverless collection for the stage (HasSearch); it bills from creation.
    search: bool = False

    @property
    def has_sql(self) -> bool:
        """True when the stage's stack builds the SQL tier and the services use it."""
        return bool(self.sql_vpc_id)


@dataclass(frozen=True)
class LocalUser:
    """A user `local.up` creates in the local user pool (its password is made up each time)."""

    username: str
    email: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalCloudConfig:
    """How `invoke local.*` runs the local cloud."""

    engine: str = "moto"
    port: int = 4566
    moto_port: int = 4567
    users: tuple[LocalUser, ...] = ()


@dataclass(frozen=True)
class ProjectConfig:
    """Names and stages of the project rooted at `root`."""

    root: Path
    slug: str
    prefix: str
    region: str
    stages: dict[str, StageConfig]
    local_cloud: LocalCloudConfig = field(default_factory=LocalCloudConfig)
    python: str = "3.12"

    @property
    def services(self) -> list[str]:
        """The services, one per folder of services/ that holds a Chalice app."""
        return sorted(path.parent.name for path in (self.root / "services").glob("*/app.py"))

    def app_name(self, service: str) -> str:
        """The Chalice app name of a service (from its .chalice/config.json)."""
        config = self.root / "services" / service / ".chalice" / "config.json"
        return str(json.loads(config.read_text(encoding="utf-8"))["app_name"])

    def stack_name(self, stage: str) -> str:
        """Name of the CloudFormation stack that holds a stage's own resources."""
        return f"{self.prefix}-{stage}"

    def service_stack_name(self, stage: str, service: str) -> str:
        """Name of the CloudFormation stack of a service in a stage."""
        return f"{self.prefix}-{stage}-{service}"

    def table_name(self, stage: str, service: str) -> str:
        """Name of a service's table in a stage; infra/stage.yaml builds the same."""
        return f"{self.prefix}-{stage}-{service}"


def find_project_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above `start` (default: cwd) holding invoke.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() and (folder / "services").is_dir():
            return folder
    raise FileNotFoundError(f"no {CONFIG_FILE} with a services/ folder at or above {here}")


def load_project_config(root: Path | None = None) -> ProjectConfig:
    """Read invoke.yaml of the project at `root` (default: found from the cwd)."""
    root = root or find_project_root()
    raw = yaml.safe_load((root / CONFIG_FILE).read_text(encoding="utf-8"))
    project = raw["project"]
    stages = {
        name: StageConfig(
            name=name,
            protected=bool(values.get("protected", False)),
            region=values.get("region", project["region"]),
            log_level=values.get("log_level", "INFO"),
            alert_email=values.get("alert_email", ""),
            deployment=values.get("deployment", "all-at-once"),
            canary_percent=int(values.get("canary_percent", 10)),
            canary_minutes=float(values.get("canary_minutes", 10)),
            snapstart=bool(values.get("snapstart", False)),
            sql_vpc_id=str((values.get("sql") or {}).get("vpc_id", "")),
            sql_subnet_ids=tuple(map(str, (values.get("sql") or {}).get("subnet_ids", ()))),
            search=bool(values.get("search", False)),
        )
        for name, values in raw["stages"].items()
    }
    python = str(project.get("python", "3.12"))
    problems = [problem for stage in stages.values() for problem in _stage_problems(stage, python)]
    if problems:
        raise ValueError(f"{CONFIG_FILE}: {'; '.join(problems)}")
    return ProjectConfig(
        root=root,
        slug=project["slug"],
        prefix=project["prefix"],
        region=project["region"],
        stages=stages,
        local_cloud=_local_cloud(raw.get("local_cloud") or {}),
        python=python,
    )


def _stage_problems(stage: StageConfig, python: str) -> list[str]:
    """What in a stage's settings AWS would refuse, named before anything is deployed."""
    problems = []
    if stage.deployment not in ("all-at-once", "canary"):
        problems.append(f"stage {stage.name}: deployment is all-at-once or canary")
    if stage.deployment == "canary" and not (
        1 <= stage.canary_percent <= 99 and 1 <= stage.canary_minutes <= 2880
    ):
        problems.append(
            f"stage {stage.name}: canary_percent is 1-99 and canary_minutes 1-2880 "
            "(CodeDeploy's limits)"
        )
    if stage.snapstart and tuple(map(int, python.split("."))) < (3, 12):
        problems.append(f"stage {stage.name}: SnapStart needs Python 3.12 or later")
    if (stage.has_sql or stage.sql_subnet_ids) and not (
        _VPC.fullmatch(stage.sql_vpc_id)
        and len(stage.sql_subnet_ids) >= 2
        and all(_SUBNET.fullmatch(subnet) for subnet in stage.sql_subnet_ids)
    ):
        problems.append(
            f"stage {stage.name}: sql needs vpc_id (vpc-...) and subnet_ids, two private "
            "subnets (subnet-...) in two Availability Zones at least"
        )
    return problems


def _local_cloud(raw: dict[str, Any]) -> LocalCloudConfig:
    defaults = LocalCloudConfig()
    return LocalCloudConfig(
        engine=raw.get("engine", defaults.engine),
        port=int(raw.get("port", defaults.port)),
        moto_port=int(raw.get("moto_port", defaults.moto_port)),
        users=tuple(
            LocalUser(user["username"], user["email"], tuple(user.get("groups") or ()))
            for user in raw.get("users") or ()
        ),
    )
