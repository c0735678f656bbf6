"""Checking a --stage value against invoke.yaml before it goes anywhere near AWS or a shell."""

from __future__ import annotations

import re
from typing import NamedTuple

from invoke import Context
from invoke.exceptions import Exit

from {{ cookiecutter.project_slug }}_devkit.project_config import (
    ProjectConfig,
    StageConfig,
    load_project_config,
)

from .layout import ROOT

# The same rule as the config package's STAGE_PATTERN: resource names and shell
# commands are built from stage names, so nothing else may get through.
_STAGE = re.compile(r"[a-z][a-z0-9-]{0,15}")


def stage_names(c: Context) -> list[str]:
    """The project's stages, in the order invoke.yaml lists them."""
    return list(c.config.stages.keys())


def stage_region(c: Context, stage: str) -> str:
    """The AWS region a stage lives in: its own `region`, else the project's."""
    return str(c.config.stages[stage].get("region") or c.config.project.region)


def is_protected(c: Context, stage: str) -> bool:
    """True if changes to `stage` need an explicit confirmation flag."""
    return bool(c.config.stages[stage].get("protected", False))


def checked_stage(c: Context, stage: str) -> str:
    """Return `stage` if invoke.yaml defines it; otherwise Exit naming the valid stages."""
    names = stage_names(c)
    if not stage:
        raise Exit(f"--stage is required; the stages are: {', '.join(names)}.", code=1)
    if not _STAGE.fullmatch(stage) or stage not in names:
        # repr() escapes control characters, so a hostile name cannot rewrite the terminal.
        raise Exit(f"Unknown stage {stage[:40]!r}; the stages are: {', '.join(names)}.", code=1)
    return stage


class StageOfProject(NamedTuple):
    """A checked stage's settings, with the project's, as the devkit's functions take them."""

    project: ProjectConfig
    stage: StageConfig


def stage_config(c: Context, stage: str) -> StageOfProject:
    """The devkit's view of a stage `checked_stage` accepted; Exit if invoke.yaml is invalid."""
    try:
        project = load_project_config(ROOT)
    except ValueError as error:
        raise Exit(str(error), code=1) from None
    return StageOfProject(project, project.stages[stage])
