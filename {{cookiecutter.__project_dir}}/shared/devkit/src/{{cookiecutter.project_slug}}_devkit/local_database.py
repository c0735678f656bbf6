"""The local SQL projection's database: a SQLite file per stage, migrated before serving.

`invoke dev` calls `migrate_local_database` before it starts the services, so their
stream consumers and SQL routes find the schema; Lambda never migrates (the deploy does).
"""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.project_slug }}_sql import local_database_url, redacted


def migrate_local_database(state_dir: Path, stage: str) -> str:
    """Migrate `stage`'s SQLite file under `state_dir` to head; return its URL."""
    from sqlalchemy import create_engine

    from {{ cookiecutter.project_slug }}_sql.migrate import upgrade

    state_dir.mkdir(parents=True, exist_ok=True)
    url = local_database_url(state_dir, stage)
    engine = create_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return redacted(url)
