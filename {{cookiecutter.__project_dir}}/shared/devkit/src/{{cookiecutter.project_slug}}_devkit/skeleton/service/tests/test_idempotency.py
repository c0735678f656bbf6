"""POST with an Idempotency-Key: a retry gets the first response and stores nothing new."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from chalice.test import Client, HTTPResponse

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit.pytest_plugin import ManualClock
from {{ cookiecutter.project_slug }}_devkit.user_tokens import Tokens

from chalicelib.composition import build_dependencies, dependencies

pytestmark = pytest.mark.integration
DAY = 24 * 60 * 60


@pytest.fixture
def client(
    settings: ServiceSettings, manual_clock: ManualClock, contract_client: Callable[[], Client]
) -> Iterator[Client]:
    """The app on this test's stage, its idempotency records expiring by `manual_clock`."""
    with (
        dependencies.override(build_dependencies(settings, manual_clock)),
        contract_client() as test_client,
    ):
        yield test_client


def _post(client: Client, headers: dict[str, str], key: str | None, body: object) -> HTTPResponse:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.http.post("/__service__", headers={**headers, **extra}, body=json.dumps(body))


def _stored_ids(client: Client, headers: dict[str, str]) -> list[str]:
    listed = client.http.get("/__service__?limit=100", headers=headers).json_body
    return [item["id"] for item in listed["items"]]


def test_a_retry_gets_the_first_response_and_stores_nothing(
    client: Client, headers: dict[str, str]
) -> None:
    key = uuid.uuid4().hex
    first = _post(client, headers, key, {"title": "once"})
    again = _post(client, headers, key, {"title": "once"})

    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body
    assert again.headers["Location"] == first.headers["Location"]
    assert (first.headers["Idempotent-Replayed"], again.headers["Idempotent-Replayed"]) == (
        "false",
        "true",
    )
    assert _stored_ids(client, headers) == [first.json_body["id"]]


def test_the_same_key_with_another_body_is_422(client: Client, headers: dict[str, str]) -> None:
    key = uuid.uuid4().hex
    assert _post(client, headers, key, {"title": "a"}).status_code == 201
    reused = _post(client, headers, key, {"title": "b"})
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json_body["Message"]
    assert len(_stored_ids(client, headers)) == 1


def test_concurrent_requests_with_one_key_create_one_record(
    client: Client, headers: dict[str, str]
) -> None:
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: _post(client, headers, key, {"n": 1}), range(10)))

    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}
    created = {response.json_body["id"] for response in responses if response.status_code == 201}
    assert len(created) == 1
    assert _stored_ids(client, headers) == list(created)


def test_after_its_window_a_key_runs_again(
    client: Client, headers: dict[str, str], manual_clock: ManualClock
) -> None:
    key = uuid.uuid4().hex
    first = _post(client, headers, key, {"title": "x"})
    manual_clock.now += DAY - 1
    assert _post(client, headers, key, {"title": "x"}).json_body == first.json_body
    # Past the window the record counts as gone, though DynamoDB has not deleted it.
    manual_clock.now += 2
    later = _post(client, headers, key, {"title": "x"})
    assert later.status_code == 201
    assert later.json_body["id"] != first.json_body["id"]
    assert later.headers["Idempotent-Replayed"] == "false"


def test_keys_belong_to_their_user(
    client: Client, headers: dict[str, str], pool_user: Callable[..., Tokens]
) -> None:
    key = uuid.uuid4().hex
    other = {**headers, "Authorization": f"Bearer {pool_user().access_token}"}
    mine = _post(client, headers, key, {"title": "same"})
    theirs = _post(client, other, key, {"title": "same"})
    assert mine.json_body["id"] != theirs.json_body["id"]


def test_requests_without_a_key_are_not_deduplicated(
    client: Client, headers: dict[str, str]
) -> None:
    assert _post(client, headers, None, {"t": 1}).status_code == 201
    assert _post(client, headers, None, {"t": 1}).status_code == 201
    assert len(_stored_ids(client, headers)) == 2


@pytest.mark.parametrize("key", ["", "a b", "é", "k" * 256])
def test_a_malformed_key_is_400(client: Client, headers: dict[str, str], key: str) -> None:
    response = _post(client, headers, key, {"t": 1})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json_body["Message"]


def test_without_a_sessions_table_a_key_is_503_and_nothing_is_stored(
    settings: ServiceSettings, headers: dict[str, str], contract_client: Callable[[], Client]
) -> None:
    bare = dataclasses.replace(settings, sessions_table_name="")
    with dependencies.override(build_dependencies(bare)), contract_client() as client:
        assert _post(client, headers, "k", {"t": 1}).status_code == 503
        assert _stored_ids(client, headers) == []
