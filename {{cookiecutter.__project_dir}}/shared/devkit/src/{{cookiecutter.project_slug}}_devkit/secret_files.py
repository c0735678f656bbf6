"""A stage's secrets between AWS Secrets Manager and a `.env` file, behind `invoke secrets.*`.

Each function takes the stage's store and returns what to print: key names, never
values. Failures raise SecretsError (or EnvFileError, OSError) with a message that
names no value; the secret and the file are then left as they were.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from {{ cookiecutter.project_slug }}_config import read_env_file, render_env_file

from .stage_secrets import SecretsError, StageSecrets


def write_private_file(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically, readable by its owner only (0600).

    The text goes to a temporary file in the same folder, which is renamed over
    `path` only once it is complete: a failure leaves the old file as it was.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _keys(values: dict[str, str]) -> str:
    return ", ".join(sorted(values)) or "none"


def fetch_to_file(store: StageSecrets, env_file: Path, header: str) -> str:
    """Write the secret to `env_file` (0600, atomically); the summary names keys only."""
    values = store.read()
    write_private_file(env_file, render_env_file(values, header=header))
    return f"wrote {env_file.name} (mode 0600) with {len(values)} key(s): {_keys(values)}"


def list_keys(store: StageSecrets) -> str:
    """The secret's key names, one a line."""
    return "\n".join(sorted(store.read())) or "(no keys)"


def diff_keys(store: StageSecrets, env_file: Path) -> str:
    """Which keys differ between the secret and `env_file` (missing: empty), never values."""
    remote = store.read()
    local = read_env_file(env_file) if env_file.exists() else {}
    lines = [f"only in Secrets Manager: {key}" for key in sorted(remote.keys() - local.keys())]
    lines += [f"only in {env_file.name}: {key}" for key in sorted(local.keys() - remote.keys())]
    lines += [
        f"different: {key}"
        for key in sorted(remote.keys() & local.keys())
        if remote[key] != local[key]
    ]
    return "\n".join(lines) or f"{env_file.name} matches Secrets Manager"


def set_key(store: StageSecrets, key: str, value: str) -> str:
    """Set one key, creating the secret if needed; an empty value is refused."""
    # `echo value | ...` adds one newline that is not part of the value.
    value = value.removesuffix("\n")
    if not value:
        raise SecretsError(f"no value for {key} on standard input")
    values = store.read_or_empty()
    values[key] = value
    store.write(values)
    return f"set {key} in {store.secret_id}"


def unset_key(store: StageSecrets, key: str) -> str:
    """Remove one key; SecretsError if the secret has no such key."""
    values = store.read()
    if key not in values:
        raise SecretsError(f"{store.secret_id} has no key {key}")
    del values[key]
    store.write(values)
    return f"removed {key} from {store.secret_id}"
