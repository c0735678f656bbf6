from __future__ import annotations

from pathlib import Path

import pytest
from invoke import Config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def invoke_config() -> Config:
    """The configuration `invoke` gives the tasks in this project (invoke.yaml included)."""
    config = Config(project_location=ROOT)
    config.load_project()
    return config
