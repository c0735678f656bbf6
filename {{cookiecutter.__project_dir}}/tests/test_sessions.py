"""The session store ({{ cookiecutter.project_slug }}_data.sessions): TTL items that reads and queries see expire."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}_data import SessionStore
from {{ cookiecutter.project_slug }}_devkit import StageResources
from {{ cookiecutter.project_slug }}_devkit.pytest_plugin import ManualClock

pytestmark = pytest.mark.integration


@pytest.fixture
def store(
    shared_stage: StageResources, aws_clients: Callable[[str], Any], manual_clock: ManualClock
) -> SessionStore:
    return SessionStore(
        aws_clients("dynamodb"), shared_stage.outputs["SessionsTableName"], manual_clock
    )


@pytest.fixture
def partition() -> str:
    """A partition of this test's own (the table is the session's, shared by its tests)."""
    return f"test#{uuid.uuid4().hex}"


def test_an_item_reads_back_until_its_ttl_then_is_absent(
    store: SessionStore, partition: str, manual_clock: ManualClock
) -> None:
    store.put(partition, "a", {"user": "alice"}, ttl_seconds=60)
    assert store.get(partition, "a") == {"user": "alice", "expires_at": 1_900_000_060}
    manual_clock.now += 59
    assert store.get(partition, "a") is not None
    manual_clock.now += 1
    # DynamoDB deletes expired items lazily (and the emulator never does): the read decides.
    assert store.get(partition, "a") is None


def test_queries_leave_expired_items_out(
    store: SessionStore, partition: str, manual_clock: ManualClock
) -> None:
    store.put(partition, "short", {"n": 1}, ttl_seconds=10)
    store.put(partition, "long", {"n": 2}, ttl_seconds=100)
    assert set(store.live(partition)) == {"short", "long"}
    manual_clock.now += 10
    assert set(store.live(partition)) == {"long"}


def test_create_succeeds_once_and_hands_back_the_live_item(
    store: SessionStore, partition: str, manual_clock: ManualClock
) -> None:
    assert store.create(partition, "k", {"owner": "first"}, ttl_seconds=30) is None
    held = store.create(partition, "k", {"owner": "second"}, ttl_seconds=30)
    assert held is not None
    assert held["owner"] == "first"
    # An expired item is absent: the next create replaces it.
    manual_clock.now += 30
    assert store.create(partition, "k", {"owner": "third"}, ttl_seconds=30) is None
    assert store.get(partition, "k") == {"owner": "third", "expires_at": 1_900_000_060}


def test_delete_and_a_ttl_that_is_not_positive(store: SessionStore, partition: str) -> None:
    store.put(partition, "gone", {}, ttl_seconds=5)
    store.delete(partition, "gone")
    assert store.get(partition, "gone") is None
    with pytest.raises(ValueError, match="positive"):
        store.put(partition, "x", {}, ttl_seconds=0)
