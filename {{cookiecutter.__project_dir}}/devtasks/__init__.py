"""The bodies of the project's Invoke tasks, one module per concern.

They run inside the project's .venv and call the devkit's functions directly; a
global `invoke` hands over to .venv's (scripts/bootstrap makes .venv).
"""

from .layout import hand_over_to_venv

hand_over_to_venv()
