"""Alembic's environment: runs the revisions on the connection migrate.py hands in.

There is no alembic.ini and no URL here: migrate.py opens the connection (from
`invoke db.migrate`, the deploy or a test), so the same code reaches SQLite,
a local PostgreSQL and the stage's Aurora.
"""

from __future__ import annotations

from alembic import context

from {{ cookiecutter.project_slug }}_sql.models import Base


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if context.is_offline_mode() or connection is None:
        raise RuntimeError("run the migrations through {{ cookiecutter.project_slug }}_sql.migrate (a connection)")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: Alembic copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
