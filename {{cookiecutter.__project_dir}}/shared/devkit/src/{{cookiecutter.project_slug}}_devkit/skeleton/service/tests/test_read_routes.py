"""The read routes, in-process: counts per day from the SQL projection, and full-text search
from the search index, both fed through the deployed stream handler."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from chalice.test import Client

from {{ cookiecutter.project_slug }}_config import ServiceSettings
from {{ cookiecutter.project_slug }}_devkit.stream_records import deliver, record_values, stream_record

from chalicelib.composition import build_dependencies, dependencies

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

pytestmark = pytest.mark.integration
DAILY, SEARCH = "/__service__/stats/daily", "/__service__/search"


@pytest.fixture
def wired(client: Client, migrated: Engine) -> Client:
    """The app on this test's stage, its database migrated."""
    return client


def _get(client: Client, path: str, headers: dict[str, str]) -> Any:
    return client.http.get(path, headers=headers)


def test_daily_counts_are_sorted_by_day_and_leave_deleted_records_out(
    wired: Client, headers: dict[str, str]
) -> None:
    days = {"a": 3, "b": 1, "c": 3, "d": 2, "e": 1}
    deliver(wired, *(stream_record("INSERT", record_values(i, 1, {}, day), 100 + n)
                   for n, (i, day) in enumerate(days.items())))  # fmt: skip
    deliver(wired, stream_record("REMOVE", record_values("e", 1, {}, 1), 200))
    body = _get(wired, DAILY, headers).json_body
    assert body == {
        "days": [
            {"day": "2026-03-01", "count": 1},
            {"day": "2026-03-02", "count": 1},
            {"day": "2026-03-03", "count": 2},
        ],
        "total": 4,
    }
    ranged = _get(wired, f"{DAILY}?from=2026-03-02&to=2026-03-02", headers).json_body
    assert ranged == {"days": [{"day": "2026-03-02", "count": 1}], "total": 1}


def test_search_ranks_highlights_and_pages(wired: Client, headers: dict[str, str]) -> None:
    deliver(
        wired,
        stream_record("INSERT", record_values("once", 1, {"title": "a lantern"}), 100),
        stream_record("INSERT", record_values("twice", 1, {"title": "lantern, lantern"}), 101),
        stream_record("INSERT", record_values("none", 1, {"title": "a candle"}), 102),
    )
    first = _get(wired, f"{SEARCH}?q=lantern&limit=1", headers)
    assert first.status_code == 200
    (best,) = first.json_body["items"]
    assert best["id"] == "twice"
    assert best["highlights"] == {"title": ["<em>lantern</em>, <em>lantern</em>"]}
    token = first.json_body["next_token"]
    second = _get(wired, f"{SEARCH}?q=lantern&limit=1&next_token={token}", headers)
    assert [item["id"] for item in second.json_body["items"]] == ["once"]
    assert second.json_body["next_token"] is None
    assert best["score"] > second.json_body["items"][0]["score"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=",
        "?q=%20%20",
        "?q=" + "x" * 257,
        "?q=lantern&limit=0",
        "?q=lantern&limit=101",
        "?q=lantern&next_token=bad!token",
        "?q=lantern&next_token=AAAA",
        "?q=lantern&qq=1",
        "?q=%22unclosed",
    ],
)
def test_invalid_searches_are_400(wired: Client, headers: dict[str, str], query: str) -> None:
    response = _get(wired, f"{SEARCH}{query}", headers)
    assert response.status_code == 400, response.json_body


@pytest.mark.parametrize(
    "query", ["?from=2026-13-01", "?to=yesterday", "?from=2026-03-02&to=2026-03-01", "?day=1"]
)
def test_invalid_count_ranges_are_400(wired: Client, headers: dict[str, str], query: str) -> None:
    assert _get(wired, f"{DAILY}{query}", headers).status_code == 400


def test_a_stage_without_database_or_search_answers_503(
    settings: ServiceSettings, headers: dict[str, str], contract_client: Callable[[], Client]
) -> None:
    bare = dataclasses.replace(settings, local_state_dir="")
    with dependencies.override(build_dependencies(bare)), contract_client() as client:
        for path in (DAILY, f"{SEARCH}?q=x"):
            response = _get(client, path, headers)
            assert response.status_code == 503
            assert "configured" in response.json_body["Message"]
