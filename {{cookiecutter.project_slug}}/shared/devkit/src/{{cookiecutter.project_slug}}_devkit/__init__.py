"""Development-only tools: the local cloud, stage stacks, contract checks, pytest fixtures.

Never vendored into a Lambda bundle.
"""

from .local_cloud import LocalCloud, emulator_environment
from .project_config import ProjectConfig, StageConfig, load_project_config
from .stage_stack import StageStack, create_stage_stack, delete_stage_stack

__all__ = [
    "LocalCloud",
    "ProjectConfig",
    "StageConfig",
    "StageStack",
    "create_stage_stack",
    "delete_stage_stack",
    "emulator_environment",
    "load_project_config",
]
