"""A deployed stage's database, found from its stack's outputs, and migrated as a deploy step.

Migrations run here, from the machine that deploys, after the stage stack and before
the services' stacks, so new code never meets an old schema. A service's cold start
never migrates. RDS Proxy answers only inside the stage's VPC, so that machine must be
there: a CI runner in the VPC (CodeBuild or a self-hosted runner in the SQL subnets),
or a tunnel under the proxy's own name (TLS checks it). Chosen over a migration
function in the VPC because it needs no second bundle (Alembic and Mako in a zip that
the deploy would build, upload and invoke) and the migration's output stays in the
deploy's log. Before it connects, `migrate_database` checks that the database
answers at all, so a deploy from outside the VPC stops in seconds with the reason,
before any service changes.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from {{ cookiecutter.project_slug }}_sql import DATABASE_URL_VARIABLE, SqlError, redacted
from {{ cookiecutter.project_slug }}_sql.credentials import POSTGRES_PORT, DatabaseReference, url_from_secret
from {{ cookiecutter.project_slug }}_sql.urls import checked_url

from .stage_secrets import StageSecrets

# The stage stack's outputs that name its database (infra/stage.yaml, condition HasSql).
SECRET_OUTPUT = "DatabaseSecretArn"  # noqa: S105  # pragma: allowlist secret (an output's name)
ENDPOINT_OUTPUT = "DatabaseProxyEndpoint"
# DatabaseName of the stack's DatabaseCluster.
DATABASE_NAME = "app"

Progress = Callable[[str], None]
# socket.create_connection's shape: (host, port), timeout -> a socket.
Connect = Callable[[tuple[str, int], float], Any]
# How long the migration step waits for the database's server to take a connection.
REACH_TIMEOUT_SECONDS = 10.0


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


def migrate_database(
    url: str | None, progress: Progress, connect: Connect = socket.create_connection
) -> str | None:
    """Upgrade the database of `url` to the newest revision; return the revision it is at.

    A server that does not answer within REACH_TIMEOUT_SECONDS stops it with SqlError
    (`connect` opens a TCP connection; tests pass their own).
    """
    if url is None:
        progress("database: none in this stage (infra/stage.yaml HasSql); nothing to migrate")
        return None
    check_reachable(url, connect)
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


def check_reachable(url: str, connect: Connect = socket.create_connection) -> None:
    """SqlError, saying where the database answers, unless its server takes a connection."""
    parsed = urlsplit(url)
    if parsed.scheme.startswith("sqlite") or not parsed.hostname:
        return
    address = (parsed.hostname, parsed.port or POSTGRES_PORT)
    try:
        connect(address, REACH_TIMEOUT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SqlError(
            f"cannot reach {address[0]}:{address[1]} from this machine ({reason}); a stage's "
            "RDS Proxy answers only inside its VPC: migrate from a runner there (README, SQL)"
        ) from None


def _stage_secret_url(secrets_client: Any, secret_id: str) -> str:
    # Fails closed, as the deploy reads the secret: unreadable or malformed stops it.
    return StageSecrets(secrets_client, secret_id).read_or_empty().get(DATABASE_URL_VARIABLE, "")
