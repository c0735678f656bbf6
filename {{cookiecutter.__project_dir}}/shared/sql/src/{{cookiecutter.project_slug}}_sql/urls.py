"""Which database a process uses: standard library only, so reading it costs no import.

APP_DATABASE_URL set         -> that URL (postgresql:// means the pg8000 driver)
unset, on Lambda             -> DatabaseNotConfigured: there is no local default there
unset, anywhere else         -> SQLite file <local cloud state folder>/<stage>.sqlite3
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from .errors import DatabaseNotConfigured, InvalidDatabaseUrl

DATABASE_URL_VARIABLE = "APP_DATABASE_URL"
# Where the local cloud keeps its state (devtasks/local_cloud.py STATE_DIR); a process
# started elsewhere than the project root sets APP_LOCAL_CLOUD_DIR.
STATE_DIR_VARIABLE = "APP_LOCAL_CLOUD_DIR"
DEFAULT_STATE_DIR = ".local-cloud"
PG8000 = "postgresql+pg8000"
# SQLite for the embedded default and tests; pg8000 for PostgreSQL: pure Python, 0.2 MB
# (psycopg's binary wheel is 10.8 MB of a 1 MB zip budget).
SCHEMES = ("sqlite", PG8000)
_SCHEME = re.compile(r"^([a-z0-9+]+)://")
_PASSWORD = re.compile(r"^([a-z0-9+]+://[^:/@]*:)[^@]*@")


def database_url(environ: Mapping[str, str], stage: str) -> str:
    """The URL of `stage`'s database for a process with this environment."""
    configured = environ.get(DATABASE_URL_VARIABLE, "").strip()
    if configured:
        return checked_url(configured)
    if environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise DatabaseNotConfigured(
            f"{DATABASE_URL_VARIABLE} is not set: on Lambda there is no local SQLite default"
        )
    state_dir = Path(environ.get(STATE_DIR_VARIABLE) or DEFAULT_STATE_DIR)
    return local_database_url(state_dir, stage)


def local_database_url(state_dir: Path, stage: str) -> str:
    """The embedded default: a SQLite file per stage in the local cloud's state folder."""
    return f"sqlite:///{(state_dir / f'{stage}.sqlite3').as_posix()}"


def checked_url(url: str) -> str:
    """`url` with the project's driver made explicit; InvalidDatabaseUrl if it names another."""
    found = _SCHEME.match(url)
    scheme = found.group(1) if found else ""
    if scheme in ("postgresql", "postgres"):
        return PG8000 + url[len(scheme) :]
    if scheme not in SCHEMES:
        shown = scheme or url.split(":", 1)[0][:20]
        raise InvalidDatabaseUrl(
            f"database URL scheme {shown!r} is not one of: postgresql, {', '.join(SCHEMES)}"
        )
    return url


def postgres_url(username: str, password: str, host: str, port: int, database: str) -> str:
    """A pg8000 URL, its parts quoted (generated passwords hold any punctuation)."""
    user, secret = quote(username, safe=""), quote(password, safe="")
    return f"{PG8000}://{user}:{secret}@{host}:{port}/{quote(database, safe='')}"


def redacted(url: str) -> str:
    """`url` fit to print: its password replaced by ***."""
    return _PASSWORD.sub(r"\1***@", url)
