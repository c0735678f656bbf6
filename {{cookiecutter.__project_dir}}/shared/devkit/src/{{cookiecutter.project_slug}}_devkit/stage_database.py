"""A deployed stage's database, found from its stack's outputs, and migrated as a deploy step.

Migrations run here, from the machine that deploys (it must reach the stage's RDS
Proxy: a runner in the stage's VPC, or a tunnel), after the stage stack and before
the services' stacks, so new code never meets an old schema. A service's cold start
never migrates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from {{ cookiecutter.project_slug }}_sql import DATABASE_URL_VARIABLE, SqlError, redacted
from {{ cookiecutter.project_slug }}_sql.credentials import DatabaseReference, url_from_secret
from {{ cookiecutter.project_slug }}_sql.urls import checked_url

from .stage_secrets import StageSecrets

# The stage stack's outputs that name its database (infra/stage.yaml, condition HasSql).
SECRET_OUTPUT = "DatabaseSecretArn"  # noqa: S105  # pragma: allowlist secret (an output's name)
ENDPOINT_OUTPUT = "DatabaseProxyEndpoint"
# DatabaseName of the stack's DatabaseCluster.
DATABASE_NAME = "app"

Progress = Callable[[str], None]


def stage_database_url(
    outputs: Mapping[str, str], secrets_client: Any, stage_secret_id: str
) -> str | None:
    """The URL of a deployed stage's database; None when the stage has none.

    `APP_DATABASE_URL` in the stage's own secret wins (a database kept outside the
    stack); otherwise the stack's outputs name the RDS Proxy and the cluster's secret.
    """
    own = _stage_secret_url(secrets_client, stage_secret_id)
    if own:
        return checked_url(own)
    if SECRET_OUTPUT not in outputs:
        return None
    reference = DatabaseReference(
        secret_arn=outputs[SECRET_OUTPUT],
        host=outputs[ENDPOINT_OUTPUT],
        database=DATABASE_NAME,
    )
    return url_from_secret(secrets_client, reference)


def migrate_database(url: str | None, progress: Progress) -> str | None:
    """Upgrade the database of `url` to the newest revision; return the revision it is at."""
    if url is None:
        progress("database: none in this stage (infra/stage.yaml HasSql); nothing to migrate")
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from {{ cookiecutter.project_slug }}_sql import migrate
    from {{ cookiecutter.project_slug }}_sql.engine import engine_for

    engine = engine_for(url)
    try:
        progress(f"database: {redacted(url)} at {migrate.current_revision(engine) or 'nothing'}")
        migrate.upgrade(engine)
        revision = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise SqlError(f"migrating {redacted(url)}: {redacted(first)[:300]}") from None
    progress(f"database: at {revision}")
    return revision


def _stage_secret_url(secrets_client: Any, secret_id: str) -> str:
    # Fails closed, as the deploy reads the secret: unreadable or malformed stops it.
    return StageSecrets(secrets_client, secret_id).read_or_empty().get(DATABASE_URL_VARIABLE, "")
