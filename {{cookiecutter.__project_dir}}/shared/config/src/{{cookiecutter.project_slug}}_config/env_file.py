"""Reading and writing .env files so that every value survives the round trip unchanged.

python-dotenv's own loaders expand `${...}` (even in single quotes) and skip lines
they cannot parse with only a warning; this module uses its parser directly, with
no expansion, and treats an unparsable line as an error that names the line.
"""

from __future__ import annotations

import re
from pathlib import Path

KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EnvFileError(ValueError):
    """A .env file cannot be read or written. The message never contains a value."""


def read_env_file(path: Path) -> dict[str, str]:
    """Return the KEY=value pairs of `path`, values exactly as written (no `${}` expansion).

    Raises EnvFileError naming the first line that is not a comment, a blank line
    or a KEY=value assignment.
    """
    # Imported here: a deployed function reads no .env file, so its cold start skips dotenv.
    from dotenv.parser import parse_stream

    values: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for binding in parse_stream(stream):
            line = binding.original.line
            if binding.error:
                raise EnvFileError(f"{path.name}, line {line}: not a KEY=value line")
            if binding.key is None:
                continue
            if binding.value is None:
                raise EnvFileError(f"{path.name}, line {line}: {binding.key} has no '='")
            values[binding.key] = binding.value
    return values


def render_env_file(values: dict[str, str], header: str = "") -> str:
    """Return .env text that `read_env_file` reads back as exactly `values`.

    Every value is single-quoted with `\\` and `'` escaped: the only escapes
    python-dotenv decodes there, so `${`, `#`, `=`, double quotes and newlines
    stay as they are.
    """
    lines = [f"# {line}" for line in header.splitlines()]
    for key, value in values.items():
        if not KEY_PATTERN.fullmatch(key):
            raise EnvFileError(f"{key!r} is not a valid environment variable name")
        if not isinstance(value, str):
            raise EnvFileError(f"the value of {key} is not a string")
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        lines.append(f"{key}='{escaped}'")
    return "\n".join(lines) + "\n"
