"""One contract for every search engine: ranking, phrases, prefixes, removal, paging,
replayed and reordered versions, and refused queries.

The embedded engine (SQLite FTS5) runs always. OpenSearch runs when TEST_OPENSEARCH_URL
names one (TEST_OPENSEARCH_SIGNING=es|aoss signs with the ambient AWS credentials and
TEST_OPENSEARCH_REGION), in an index of its own that is deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_search import (
    InvalidPageToken,
    InvalidQuery,
    SearchIndex,
    search_index,
)

OPENSEARCH_URL = os.environ.get("TEST_OPENSEARCH_URL", "")
ENGINES = [
    "embedded",
    pytest.param(
        "opensearch",
        marks=pytest.mark.skipif(
            not OPENSEARCH_URL, reason="TEST_OPENSEARCH_URL is not set: no OpenSearch to test"
        ),
    ),
]


@pytest.fixture(params=ENGINES)
def search(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if request.param == "embedded":
        yield search_index(stage="test", service="contract", state_dir=tmp_path)
        return
    from {{ cookiecutter.project_slug }}_search.opensearch import OpenSearchIndex

    index = search_index(
        stage=f"t{uuid.uuid4().hex[:12]}",  # parallel workers never share an index
        service="contract",
        url=OPENSEARCH_URL,
        region=os.environ.get("TEST_OPENSEARCH_REGION", ""),
        signing_service=os.environ.get("TEST_OPENSEARCH_SIGNING", ""),
        refresh=True,
    )
    assert isinstance(index, OpenSearchIndex)
    try:
        yield index
    finally:
        index.drop()


def ids(index: SearchIndex, query: str, page_size: int = 20) -> list[str]:
    return [hit.id for hit in index.search(query, page_size).hits]


def test_documents_matching_more_often_rank_first(search: SearchIndex) -> None:
    search.index("often", 1, {"title": "fox", "body": "fox fox fox"})
    search.index("once", 1, {"title": "a long day", "body": "a fox among many other words here"})
    search.index("never", 1, {"title": "dog", "body": "nothing to see"})
    search.index("other", 1, {"title": "cat", "body": "still nothing"})

    page = search.search("fox")

    assert [hit.id for hit in page.hits] == ["often", "once"]
    assert page.hits[0].score > page.hits[1].score > 0
    assert page.next_token is None


def test_every_word_must_match_in_some_field(search: SearchIndex) -> None:
    search.index("both", 1, {"title": "Quick thinking", "body": "the fox"})
    search.index("one", 1, {"title": "quick", "body": "the dog"})

    assert ids(search, "quick fox") == ["both"]
    assert set(ids(search, "QUICK")) == {"both", "one"}


def test_a_phrase_matches_its_words_in_order_within_a_field(search: SearchIndex) -> None:
    search.index("phrase", 1, {"body": "the quick brown fox jumps"})
    search.index("apart", 1, {"body": "a brown dog and a fox"})
    search.index("reversed", 1, {"body": "fox brown"})

    assert ids(search, '"brown fox"') == ["phrase"]
    assert set(ids(search, "brown fox")) == {"phrase", "apart", "reversed"}


def test_a_prefix_matches_words_starting_with_it(search: SearchIndex) -> None:
    search.index("jumps", 1, {"body": "it jumps"})
    search.index("jumping", 1, {"title": "Jumping jacks"})
    search.index("jam", 1, {"body": "jam today"})

    assert set(ids(search, "jum*")) == {"jumps", "jumping"}
    assert ids(search, "jacks jum*") == ["jumping"]


def test_accents_and_case_are_folded(search: SearchIndex) -> None:
    search.index("cafe", 1, {"title": "Le Café"})

    assert ids(search, "cafe") == ["cafe"]
    assert ids(search, "CAFÉ") == ["cafe"]


def test_highlights_mark_matches_and_escape_the_rest(search: SearchIndex) -> None:
    search.index("html", 1, {"title": "<b>bold</b> fox", "body": "no match here"})

    (hit,) = search.search("fox").hits

    assert list(hit.highlights) == ["title"]
    (fragment,) = hit.highlights["title"]
    assert "<em>fox</em>" in fragment
    assert "&lt;b&gt;bold&lt;/b&gt;" in fragment


def test_a_removed_document_is_no_longer_found(search: SearchIndex) -> None:
    search.index("gone", 1, {"body": "ephemeral words"})
    search.index("kept", 1, {"body": "ephemeral too"})

    assert search.remove("gone", 1) is True

    assert ids(search, "ephemeral") == ["kept"]


def test_a_new_version_replaces_the_document(search: SearchIndex) -> None:
    search.index("doc", 1, {"body": "first draft"})

    assert search.index("doc", 2, {"body": "second edition"}) is True

    assert ids(search, "draft") == []
    assert ids(search, "edition") == ["doc"]


def test_replayed_and_older_versions_change_nothing(search: SearchIndex) -> None:
    search.index("doc", 2, {"body": "newer text"})

    assert search.index("doc", 2, {"body": "replayed text"}) is False
    assert search.index("doc", 1, {"body": "older text"}) is False
    assert search.remove("doc", 1) is False

    assert ids(search, "newer") == ["doc"]
    assert ids(search, "older") == ids(search, "replayed") == []


def test_an_older_version_arriving_after_the_removal_does_not_bring_it_back(
    search: SearchIndex,
) -> None:
    search.index("doc", 3, {"body": "removed soon"})
    search.remove("doc", 3)

    assert search.index("doc", 3, {"body": "removed soon"}) is False
    assert search.index("doc", 2, {"body": "removed older"}) is False
    assert ids(search, "removed") == []
    assert search.index("doc", 4, {"body": "back again"}) is True
    assert ids(search, "again") == ["doc"]


def test_pages_cover_every_hit_once_in_rank_order(search: SearchIndex) -> None:
    for n in range(7):
        # Different lengths give different scores; equal ones are ordered by id.
        search.index(f"doc-{n}", 1, {"body": "page " + "filler " * (n % 3)})

    expected = ids(search, "page", page_size=20)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = search.search("page", page_size=3, page_token=token)
        seen += [hit.id for hit in page.hits]
        pages += 1
        token = page.next_token
        if token is None:
            break

    assert pages == 3
    assert seen == expected
    assert sorted(seen) == [f"doc-{n}" for n in range(7)]


def test_a_page_token_of_another_query_or_a_forged_one_is_refused(search: SearchIndex) -> None:
    for n in range(3):
        search.index(f"doc-{n}", 1, {"body": "token words"})
    token = search.search("token", page_size=1).next_token
    assert token is not None

    with pytest.raises(InvalidPageToken):
        search.search("words", page_size=1, page_token=token)
    for forged in ("not-a-token", "e30", "x" * 600):
        with pytest.raises(InvalidPageToken):
            search.search("token", page_size=1, page_token=forged)


@pytest.mark.parametrize(
    "query",
    ["", "   ", '"unclosed', '""', "!!! ???", "x" * 300, " ".join(f"w{n}" for n in range(13))],
    ids=["empty", "blank", "unclosed", "empty-phrase", "no-words", "too-long", "too-many-terms"],
)
def test_queries_with_nothing_to_search_are_refused(search: SearchIndex, query: str) -> None:
    with pytest.raises(InvalidQuery):
        search.search(query)


@pytest.mark.parametrize(
    "query",
    ["NEAR(fox dog)", "body:fox", "fox AND NOT dog", "^fox", "-fox", "fox OR", "(fox", "{fox}*"],
)
def test_engine_syntax_in_a_query_is_only_text(search: SearchIndex, query: str) -> None:
    search.index("doc", 1, {"body": "fox near dog and not body or"})

    search.search(query)  # answered or empty, never an engine error


@pytest.mark.parametrize("page_size", [0, 101])
def test_page_sizes_out_of_range_are_refused(search: SearchIndex, page_size: int) -> None:
    with pytest.raises(InvalidQuery):
        search.search("fox", page_size=page_size)
