"""The stage-secrets commands behind `invoke secrets.*` and `invoke package`.

Run as `python -m <project>_devkit.secrets_cli ACTION --secret-id ID --region R ...`.
Output names keys, never values; a failure is one line on stderr and exit code 1.
Values to store arrive on standard input, never on the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from {{ cookiecutter.project_slug }}_config import EnvFileError, read_env_file, render_env_file

from .stage_secrets import SecretsError, StageSecrets, secrets_client


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


def _store(args: argparse.Namespace) -> StageSecrets:
    return StageSecrets(secrets_client(args.region), args.secret_id)


def _keys(values: dict[str, str]) -> str:
    return ", ".join(sorted(values)) or "none"


def fetch(args: argparse.Namespace) -> str:
    values = _store(args).read()
    header = f"Written from Secrets Manager ({args.secret_id}). Do not commit."
    write_private_file(args.env_file, render_env_file(values, header=header))
    return f"wrote {args.env_file.name} (mode 0600) with {len(values)} key(s): {_keys(values)}"


def list_keys(args: argparse.Namespace) -> str:
    return "\n".join(sorted(_store(args).read())) or "(no keys)"


def diff(args: argparse.Namespace) -> str:
    remote = _store(args).read()
    local = read_env_file(args.env_file) if args.env_file.exists() else {}
    lines = [f"only in Secrets Manager: {key}" for key in sorted(remote.keys() - local.keys())]
    lines += [
        f"only in {args.env_file.name}: {key}" for key in sorted(local.keys() - remote.keys())
    ]
    lines += [
        f"different: {key}"
        for key in sorted(remote.keys() & local.keys())
        if remote[key] != local[key]
    ]
    return "\n".join(lines) or f"{args.env_file.name} matches Secrets Manager"


def set_key(args: argparse.Namespace) -> str:
    value = sys.stdin.read()
    # `echo value | ...` adds one newline that is not part of the value.
    value = value.removesuffix("\n")
    if not value:
        raise SecretsError(f"no value for {args.key} on standard input")
    store = _store(args)
    values = store.read_or_empty()
    values[args.key] = value
    store.write(values)
    return f"set {args.key} in {args.secret_id}"


def unset_key(args: argparse.Namespace) -> str:
    store = _store(args)
    values = store.read()
    if args.key not in values:
        raise SecretsError(f"{args.secret_id} has no key {args.key}")
    del values[args.key]
    store.write(values)
    return f"removed {args.key} from {args.secret_id}"


def into_chalice_config(args: argparse.Namespace) -> str:
    """Add the .env file's values to one stage of a Chalice config (a packaging copy)."""
    values = read_env_file(args.env_file)
    config = json.loads(args.config.read_text(encoding="utf-8"))
    environment = config["stages"][args.stage].setdefault("environment_variables", {})
    clashes = sorted(values.keys() & environment.keys())
    if clashes:
        raise SecretsError(f"secrets would replace stage settings: {', '.join(clashes)}")
    environment.update(values)
    write_private_file(args.config, json.dumps(config, indent=2) + "\n")
    return f"{len(values)} secret(s) added to the {args.stage} environment: {_keys(values)}"


ACTIONS: dict[str, Callable[[argparse.Namespace], str]] = {
    "fetch": fetch,
    "list": list_keys,
    "diff": diff,
    "set": set_key,
    "unset": unset_key,
    "into-chalice-config": into_chalice_config,
}


def parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per action."""
    root = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="action", required=True)
    for action in ACTIONS:
        command = commands.add_parser(action)
        command.add_argument("--secret-id", required=True)
        command.add_argument("--region", required=True)
        if action in ("fetch", "diff", "into-chalice-config"):
            command.add_argument("--env-file", type=Path, required=True)
        if action in ("set", "unset"):
            command.add_argument("key")
        if action == "into-chalice-config":
            command.add_argument("--config", type=Path, required=True)
            command.add_argument("--stage", required=True)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run one action; print its summary, or one line of error on stderr."""
    args = parser().parse_args(argv)
    try:
        print(ACTIONS[args.action](args))
    except (SecretsError, EnvFileError, OSError) as error:
        print(f"secrets {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
