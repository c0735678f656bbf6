"""A PostgreSQL URL from a secret of Secrets Manager, as RDS keeps a cluster's credentials.

RDS's managed secret (`ManageMasterUserPassword`) is a JSON object with `username`
and `password`; the host (RDS Proxy's endpoint) and database come from the
stage stack's outputs. The URL asks for TLS: RDS Proxy requires it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import DatabaseNotConfigured
from .urls import postgres_url

POSTGRES_PORT = 5432


@dataclass(frozen=True)
class DatabaseReference:
    """Where a stage's database is, and the secret that holds how to sign in to it."""

    secret_arn: str
    host: str
    database: str
    port: int = POSTGRES_PORT


def url_from_secret(secrets_client: Any, reference: DatabaseReference) -> str:
    """The pg8000 URL of `reference`, its credentials read from the secret (never printed)."""
    value = secrets_client.get_secret_value(SecretId=reference.secret_arn)
    try:
        secret = json.loads(value["SecretString"])
        username, password = secret["username"], secret["password"]
    except (KeyError, TypeError, ValueError):
        raise DatabaseNotConfigured(
            f"secret {reference.secret_arn} holds no JSON username and password"
        ) from None
    url = postgres_url(str(username), str(password), reference.host, reference.port,
                       reference.database)  # fmt: skip
    return f"{url}?sslmode=require"
