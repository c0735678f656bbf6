"""One SQLAlchemy engine per process, made at first use, with a pool sized for Lambda.

A Lambda container serves one request at a time, so it needs one connection: the
pool holds one (pool_size=1, no overflow), checks it before use (a frozen container
wakes up with a connection the proxy may have closed) and recycles it before RDS
Proxy's idle timeout would. Many containers share the database through RDS Proxy.

On AWS the engine's URL holds no credentials. `secret_engine` reads them from
the database's secret each time the pool opens a connection (the first query of a
container, then at most every POOL_RECYCLE_SECONDS), so a password RDS rotates reaches
the next connection and none is ever in the environment or a template.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .credentials import DatabaseReference, credential_free_url, read_credentials
from .errors import DatabaseNotConfigured
from .urls import database_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

SECRET_ARN_VARIABLE = "APP_DATABASE_SECRET_ARN"  # noqa: S105  # pragma: allowlist secret
# Seconds a pooled connection lives: below RDS Proxy's default idle client timeout (30 min).
POOL_RECYCLE_SECONDS = 600
# `?sslmode=require` (libpq's spelling) in a PostgreSQL URL: pg8000 takes an SSL context.
_TLS_MODES = ("require", "verify-ca", "verify-full")
# A dev server may serve requests on threads; Lambda never does, and pays nothing for this.
_LOCK = threading.Lock()
_ENGINES: dict[str, Engine] = {}


def get_engine(environ: Mapping[str, str] | None = None, secrets_client: Any = None) -> Engine:
    """The engine of this process's database, made at the first call, the same one after.

    APP_DATABASE_SECRET_ARN (with APP_DATABASE_HOST, APP_DATABASE_NAME): the URL is
    built from that secret, read once, at the first call, not at import. Otherwise
    APP_DATABASE_URL, else the stage's local SQLite file (urls.database_url).
    """
    environ = os.environ if environ is None else environ
    secret_arn = environ.get(SECRET_ARN_VARIABLE, "")
    if not secret_arn:
        return engine_for(database_url(environ, environ.get("APP_STAGE") or "local"))
    host = environ.get("APP_DATABASE_HOST", "")
    if not host:
        raise DatabaseNotConfigured(f"{SECRET_ARN_VARIABLE} is set but APP_DATABASE_HOST is not")
    if secrets_client is None:
        import boto3  # part of the Lambda runtime

        secrets_client = boto3.client("secretsmanager")
    reference = DatabaseReference(secret_arn, host, environ.get("APP_DATABASE_NAME") or "app")
    return secret_engine(reference, secrets_client)


def secret_engine(reference: DatabaseReference, secrets_client: Any = None) -> Engine:
    """The one engine of the database `reference` names, signing in with its secret's
    credentials, read when a connection opens (boto3's client is made at the first one)."""
    key = f"{reference.host}:{reference.port}/{reference.database} as {reference.secret_arn}"
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = _new_engine(
                credential_free_url(reference), _SecretCredentials(reference, secrets_client)
            )
        return engine


class _SecretCredentials:
    """Puts the secret's username and password into each new connection's parameters."""

    def __init__(self, reference: DatabaseReference, secrets_client: Any) -> None:
        self._reference = reference
        self._client = secrets_client

    def __call__(self, dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        if self._client is None:
            import boto3  # part of the Lambda runtime

            self._client = boto3.client("secretsmanager")
        username, password = read_credentials(self._client, self._reference.secret_arn)
        cparams.update(user=username, password=password)


def engine_for(url: str) -> Engine:
    """The one engine of `url` in this process; SQLAlchemy is imported here, at first use."""
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = _new_engine(url)
        return engine


def dispose_engines() -> None:
    """Close and forget every engine of this process (tests; a SnapStart restore hook)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _new_engine(url: str, credentials: _SecretCredentials | None = None) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            options.update(pool_size=1, max_overflow=0)
        return create_engine(parsed, **options)
    mode = parsed.query.get("sslmode")
    if mode is not None:
        parsed = parsed.difference_update_query(["sslmode"])
        if mode in _TLS_MODES:
            options["connect_args"] = {"ssl_context": ssl.create_default_context()}
    options.update(pool_size=1, max_overflow=0, pool_recycle=POOL_RECYCLE_SECONDS)
    engine = create_engine(parsed, **options)
    if credentials is not None:
        event.listen(engine, "do_connect", credentials)
    return engine
