"""SQL data access shared by every service: models, one engine per process, migrations.

This module stays light: it imports neither SQLAlchemy nor a driver, so a service
that imports it pays nothing at cold start for routes that run no SQL. Import the
heavy modules where they are used:

    from {{ cookiecutter.project_slug }}_sql.engine import get_engine          # one engine per process
    from {{ cookiecutter.project_slug }}_sql.projection import upsert_record, daily_counts
    from {{ cookiecutter.project_slug }}_sql.migrations_api import upgrade     # deploy time only (Alembic)
"""

from .errors import DatabaseNotConfigured, InvalidDatabaseUrl, SqlError
from .rows import DayCount, RecordRow
from .urls import DATABASE_URL_VARIABLE, database_url, local_database_url, redacted

__all__ = [
    "DATABASE_URL_VARIABLE",
    "DatabaseNotConfigured",
    "DayCount",
    "InvalidDatabaseUrl",
    "RecordRow",
    "SqlError",
    "database_url",
    "local_database_url",
    "redacted",
]
