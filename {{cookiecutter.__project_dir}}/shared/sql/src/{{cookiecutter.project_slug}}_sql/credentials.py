"""A PostgreSQL URL from a secret of Secrets Manager, as RDS keeps a cluster's credentials.

RDS's managed secret (`ManageMasterUserPassword`) is a JSON object with `username`
and `password`; the host (RDS Proxy's endpoint) and database come from the
stage stack's outputs. The URL asks for TLS: RDS Proxy requires it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .errors import DatabaseNotConfigured
from .urls import PG8000, postgres_url

POSTGRES_PORT = 5432


@dataclass(frozen=True)
class DatabaseReference:
    """Where a stage's database is, and the secret that holds how to sign in to it."""

    secret_arn: str
    host: str
    database: str
    port: int = POSTGRES_PORT


def read_credentials(secrets_client: Any, secret_arn: str) -> tuple[str, str]:
    """The username and password the secret holds (never printed)."""
    value = secrets_client.get_secret_value(SecretId=secret_arn)
    try:
        secret = json.loads(value["SecretString"])
        username, password = secret["username"], secret["password"]
    except (KeyError, TypeError, ValueError):
        raise DatabaseNotConfigured(
            f"secret {secret_arn} holds no JSON username and password"
        ) from None
    return str(username), str(password)


def url_from_secret(secrets_client: Any, reference: DatabaseReference) -> str:
    """The pg8000 URL of `reference`, its credentials read from the secret (never printed)."""
    username, password = read_credentials(secrets_client, reference.secret_arn)
    url = postgres_url(username, password, reference.host, reference.port, reference.database)
    return f"{url}?sslmode=require"


def credential_free_url(reference: DatabaseReference) -> str:
    """The pg8000 URL of `reference` without credentials (the engine adds them per connection)."""
    return (
        f"{PG8000}://{quote(reference.host, safe='')}:{reference.port}/"
        f"{quote(reference.database, safe='')}?sslmode=require"
    )
