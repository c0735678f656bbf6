"""The composition root: the one place that builds the service's clients and collaborators."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from {{ cookiecutter.project_slug }}_auth import JwksCache, TokenVerifier, UserPool
from {{ cookiecutter.project_slug }}_config import Provider, ServiceSettings, load_settings
from {{ cookiecutter.project_slug }}_data import (
    ChangeLog,
    Idempotency,
    RecordRepository,
    SearchProjection,
    SessionStore,
    SqlProjection,
    dynamodb_client,
)

from .changes import ChangeFeed
from .idempotent import IdempotentResponses
from .queries import Queries
from .read_sources import engine_source, index_source
from .records import RecordService


@dataclass(frozen=True)
class Dependencies:
    """Everything the routes use. Tests build their own and hand it to `dependencies.override`."""

    settings: ServiceSettings
    records: RecordService
    idempotent: IdempotentResponses
    changes: ChangeFeed
    # The routes answered from the SQL projection and the search index.
    queries: Queries
    # None when the stage names no user pool: guarded routes then answer 503.
    verifier: TokenVerifier | None


def build_dependencies(
    settings: ServiceSettings, clock: Callable[[], float] = time.time
) -> Dependencies:
    """Wire the service for `settings` against the DynamoDB endpoint boto3 is configured for.

    `clock` (epoch seconds) decides when idempotency records expire; tests pass their own.
    """
    client = dynamodb_client(settings.region)
    repository = RecordRepository(client, settings.table_name)
    idempotency = (
        Idempotency(
            SessionStore(client, settings.sessions_table_name, clock),
            settings.idempotency_window_seconds,
        )
        if settings.sessions_table_name
        else None
    )
    # Each made at first use: importing the app loads no SQL or search engine.
    engine, index = engine_source(settings), index_source(settings)
    return Dependencies(
        settings=settings,
        records=RecordService(repository, new_id=lambda: uuid.uuid4().hex),
        idempotent=IdempotentResponses(settings.service, idempotency),
        # stdout is the function's log in Lambda and the terminal under `invoke dev`.
        # The stream's consumers, called in this order per record (each idempotent).
        changes=ChangeFeed(
            settings.service,
            [
                ChangeLog(client, settings.change_log_table),
                SqlProjection(settings.service, engine, emit=print),
                SearchProjection(settings.service, index, emit=print),
            ],
            emit=print,
        ),
        queries=Queries(settings.service, engine, index),
        verifier=build_verifier(settings),
    )


def build_verifier(settings: ServiceSettings) -> TokenVerifier | None:
    """The stage's token verifier; its keys are fetched on first use, then once per process."""
    if not settings.user_pool_id:
        return None
    pool = UserPool(settings.region, settings.user_pool_id, settings.accepted_client_ids)
    return TokenVerifier(pool, JwksCache(pool.jwks_url()), settings.jwt_leeway_seconds)


def _from_environment() -> Dependencies:
    return build_dependencies(load_settings(ServiceSettings))


dependencies: Provider[Dependencies] = Provider(_from_environment)
