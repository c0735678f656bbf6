"""Dropping from a deployment zip the parts of its libraries that nothing in it can import.

Chalice ships each requirement whole. Some of that is never imported by a service:
a library's own test harness, SQL dialects of databases the project never connects
to, and modules that need a package the bundle lacks. Every byte of the zip is
downloaded and unpacked on a cold start, so packaging leaves these out (as the
Serverless Framework's `slim` option does). The packaging tests import what the
services use from the slimmed zip, in an interpreter holding only boto3, as on Lambda.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# Folders of the zip that no service imports, with why. Add only what a test proves
# unused: an import of one of them on Lambda would fail with ModuleNotFoundError.
UNSHIPPED = {
    "sqlalchemy/testing/": "SQLAlchemy's own test-suite harness (pytest plugin, fixtures)",
    "sqlalchemy/dialects/mysql/": "the project connects to PostgreSQL and SQLite only",
    "sqlalchemy/dialects/mssql/": "the project connects to PostgreSQL and SQLite only",
    "sqlalchemy/dialects/oracle/": "the project connects to PostgreSQL and SQLite only",
    "sqlalchemy/ext/asyncio/": "needs greenlet, which no bundle holds; the services are sync",
    # opensearchpy's __init__ tries the async client and skips it on ImportError; without
    # aiohttp it fails anyway, after importing these 1.9 MB of modules on each first use.
    "opensearchpy/_async/client/": "the async client, which needs aiohttp (in no bundle)",
    "opensearchpy/_async/plugins/": "the async client's plugins, which need aiohttp too",
}


def drop_unshipped(archive: Path, folders: tuple[str, ...] = tuple(UNSHIPPED)) -> int:
    """Rewrite `archive` without the entries under `folders`; return the bytes it lost."""
    before = archive.stat().st_size
    partial = archive.with_suffix(".zip.partial")
    with (
        zipfile.ZipFile(archive) as bundle,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as slimmed,
    ):
        for info in bundle.infolist():
            if not info.filename.startswith(folders):
                slimmed.writestr(info, bundle.read(info))
    partial.replace(archive)
    return before - archive.stat().st_size
