"""Development-only tools: the local cloud, stage stacks, contract checks, pytest fixtures.

Never vendored into a Lambda bundle. The emulator lives in `.local_cloud`, imported
only where it is used: moto takes two seconds to import, which every command-line
tool of this package would otherwise pay.
"""

from .project_config import ProjectConfig, StageConfig, load_project_config
from .stage_stack import StageStack, create_stage_stack, delete_stage_stack

__all__ = [
    "ProjectConfig",
    "StageConfig",
    "StageStack",
    "create_stage_stack",
    "delete_stage_stack",
    "load_project_config",
]
