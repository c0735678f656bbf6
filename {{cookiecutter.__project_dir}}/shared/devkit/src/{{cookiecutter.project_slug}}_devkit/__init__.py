"""Development-only tools: the local cloud, stage resources, contract checks, pytest fixtures.

Never vendored into a Lambda bundle. The emulator lives in `.local_cloud`, imported
only where it is used: moto takes two seconds to import, which every command-line
tool of this package would otherwise pay.
"""

from .project_config import ProjectConfig, StageConfig, load_project_config
from .stage_resources import StageResources, provision_stage, remove_stage

__all__ = [
    "ProjectConfig",
    "StageConfig",
    "StageResources",
    "load_project_config",
    "provision_stage",
    "remove_stage",
]
