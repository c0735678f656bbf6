"""The OpenSearch adapter offline: what it sends, byte for byte, and how it is signed.

The client is the real opensearch-py one; only its urllib3 pool is replaced by one
that records each request and answers from a script, so no request leaves the process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.credentials import Credentials
from urllib3.response import HTTPResponse

from {{ cookiecutter.project_slug }}_search import InvalidQuery, search_index
from {{ cookiecutter.project_slug }}_search.opensearch import OpenSearchIndex, opensearch_client
from {{ cookiecutter.project_slug }}_search.opensearch_queries import index_body

CREDENTIALS = Credentials("AKIDEXAMPLE", "not-a-real-secret")  # pragma: allowlist secret
Answer = tuple[int, dict[str, Any]]


class RecordingPool:
    """Stands in for urllib3's connection pool: records requests, answers from `answer`."""

    def __init__(self, answer: Callable[[str, str], Answer]) -> None:
        self.requests: list[dict[str, Any]] = []
        self._answer = answer

    def urlopen(
        self, method: str, url: str, body: bytes | None = None, **options: Any
    ) -> HTTPResponse:
        headers = dict(options["headers"])
        self.requests.append({"method": method, "url": url, "body": body, "headers": headers})
        status, payload = self._answer(method, url)
        return HTTPResponse(
            body=json.dumps(payload).encode(),
            status=status,
            headers={"content-type": "application/json"},
            preload_content=True,
        )

    def close(self) -> None:
        pass

    def json(self, n: int) -> Any:
        return json.loads(self.requests[n]["body"])


def adapter(
    signing_service: str, answer: Callable[[str, str], Answer], serverless: bool = False
) -> tuple[OpenSearchIndex, RecordingPool]:
    host = (
        "abc123.eu-west-1.aoss.amazonaws.com"
        if serverless
        else "search-x.eu-west-1.es.amazonaws.com"
    )
    client = opensearch_client(f"https://{host}", "eu-west-1", signing_service, CREDENTIALS)
    pool = RecordingPool(answer)
    client.transport.connection_pool.connection.pool = pool
    return OpenSearchIndex(client, "dev-notes", serverless=serverless), pool


def ok(payload: dict[str, Any] | None = None) -> Callable[[str, str], Answer]:
    return lambda method, url: (200, payload or {})


def existing_index(method: str, url: str) -> Answer:
    return (200, {"result": "created", "_version": 2})


@pytest.mark.parametrize("service", ["es", "aoss"])
def test_requests_are_signed_for_the_service_with_the_payload_hash(service: str) -> None:
    index, pool = adapter(service, ok({"hits": {"hits": []}}), serverless=service == "aoss")

    index.search("fox")

    (request,) = pool.requests
    headers = request["headers"]
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert f"/eu-west-1/{service}/aws4_request" in headers["Authorization"]
    # Only host and date are signed: aoss refuses requests whose every header is.
    assert "SignedHeaders=host;x-amz-date," in headers["Authorization"]
    assert headers["X-Amz-Content-SHA256"] == hashlib.sha256(request["body"]).hexdigest()


def test_an_unsigned_client_sends_no_aws_headers() -> None:
    client = opensearch_client("http://localhost:9200")
    pool = RecordingPool(ok({"hits": {"hits": []}}))
    client.transport.connection_pool.connection.pool = pool

    OpenSearchIndex(client, "dev-notes").search("fox")

    assert "Authorization" not in pool.requests[0]["headers"]


def test_a_search_sends_one_required_clause_per_term_sorted_and_highlighted() -> None:
    index, pool = adapter("es", ok({"hits": {"hits": []}}))

    index.search('quick "brown fox" jum*', page_size=2)

    assert pool.requests[0]["method"] == "POST"
    assert pool.requests[0]["url"] == "/dev-notes/_search"
    assert pool.json(0) == {
        "size": 3,
        "_source": False,
        "track_scores": True,
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": "quick",
                            "fields": ["fields.*"],
                            "type": "best_fields",
                        }
                    },
                    {
                        "multi_match": {
                            "query": "brown fox",
                            "fields": ["fields.*"],
                            "type": "phrase",
                        }
                    },
                    {
                        "multi_match": {
                            "query": "jum",
                            "fields": ["fields.*"],
                            "type": "bool_prefix",
                        }
                    },
                ],
                "filter": [{"term": {"deleted": False}}],
            }
        },
        "sort": [{"_score": {"order": "desc"}}, {"doc_id": {"order": "asc"}}],
        "highlight": {
            "encoder": "html",
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fragment_size": 150,
            "number_of_fragments": 1,
            "fields": {"fields.*": {}},
        },
    }


def test_hits_highlights_and_the_next_page_come_from_the_response() -> None:
    hits = [
        {
            "_id": "a",
            "_score": 2.5,
            "sort": [2.5, "a"],
            "highlight": {"fields.title": ["<em>fox</em>"]},
        },
        {"_id": "b", "_score": 1.5, "sort": [1.5, "b"]},
    ]
    index, pool = adapter("es", ok({"hits": {"hits": hits}}))

    page = index.search("fox", page_size=1)

    assert [(hit.id, hit.score, hit.highlights) for hit in page.hits] == [
        ("a", 2.5, {"title": ["<em>fox</em>"]})
    ]
    assert page.next_token is not None
    index.search("fox", page_size=1, page_token=page.next_token)
    assert pool.json(1)["search_after"] == [2.5, "a"]


def test_a_domain_write_creates_the_index_then_uses_external_versions() -> None:
    def answer(method: str, url: str) -> Answer:
        return (404, {}) if method == "HEAD" else (200, {"result": "created"})

    index, pool = adapter("es", answer)

    assert index.index("n1", 7, {"title": "Fox", "empty": ""}) is True
    index.index("n2", 1, {"title": "Dog"})  # the index is checked once per instance

    assert [(r["method"], r["url"]) for r in pool.requests] == [
        ("HEAD", "/dev-notes"),
        ("PUT", "/dev-notes"),
        ("PUT", "/dev-notes/_doc/n1?version=7&version_type=external"),
        ("PUT", "/dev-notes/_doc/n2?version=1&version_type=external"),
    ]
    assert pool.json(1) == index_body(serverless=False)
    assert pool.json(1)["settings"]["index"] == {"gc_deletes": "25h"}
    assert pool.json(2) == {
        "doc_id": "n1",
        "version": 7,
        "deleted": False,
        "fields": {"title": "Fox"},
    }


def test_a_domain_refuses_an_old_version_with_a_conflict_which_is_not_an_error() -> None:
    def answer(method: str, url: str) -> Answer:
        return (409, {"error": {"type": "version_conflict_engine_exception"}, "status": 409})

    index, pool = adapter("es", answer)
    index._created = True  # the index exists: only the write is under test

    assert index.index("n1", 1, {"title": "old"}) is False
    assert index.remove("n1", 1) is False
    assert pool.requests[1]["url"] == "/dev-notes/_doc/n1?version=1&version_type=external_gte"


def test_serverless_reads_the_stored_version_and_writes_tombstones() -> None:
    stored = {"found": True, "_source": {"version": 5}}

    def answer(method: str, url: str) -> Answer:
        return (200, stored) if method == "GET" else (200, {"result": "updated"})

    index, pool = adapter("aoss", answer, serverless=True)
    index._created = True

    assert index.index("n1", 5, {"title": "same"}) is False
    assert index.index("n1", 6, {"title": "newer"}) is True
    assert index.remove("n1", 4) is False
    assert index.remove("n1", 5) is True

    assert [(r["method"], r["url"]) for r in pool.requests] == [
        ("GET", "/dev-notes/_doc/n1?_source_includes=version"),
        ("GET", "/dev-notes/_doc/n1?_source_includes=version"),
        ("PUT", "/dev-notes/_doc/n1"),  # no version parameters: aoss has none
        ("GET", "/dev-notes/_doc/n1?_source_includes=version"),
        ("GET", "/dev-notes/_doc/n1?_source_includes=version"),
        ("PUT", "/dev-notes/_doc/n1"),
    ]
    assert pool.json(5) == {"doc_id": "n1", "version": 5, "deleted": True, "fields": {}}


def test_a_serverless_index_has_no_gc_deletes_setting() -> None:
    assert "index" not in index_body(serverless=True)["settings"]


def test_invalid_queries_never_reach_the_cluster() -> None:
    index, pool = adapter("es", ok())

    with pytest.raises(InvalidQuery):
        index.search('"unclosed')

    assert pool.requests == []


def test_the_factory_picks_opensearch_for_a_url_and_signs_aoss_as_serverless() -> None:
    built = search_index(
        stage="dev", service="notes", url="https://x.aoss.amazonaws.com", region="eu-west-1",
        signing_service="aoss",
    )  # fmt: skip

    assert isinstance(built, OpenSearchIndex)
    assert built.name == "dev-notes"
