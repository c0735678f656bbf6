"""The OpenSearch adapter: an index per stage and service on a domain or a Serverless
collection, over HTTPS with SigV4-signed requests.

opensearch-py is imported inside the functions that need it: a service's other
routes never load it (invoke.yaml's cold-start denylist holds `opensearchpy`).

Versions: a domain keeps them itself (`version_type=external`: a write applies only
above the stored version; removals with `external_gte`, as the removal of version v
follows v's own write, and their tombstones kept for GC_DELETES). Serverless
collections support no external versions, so there the adapter reads the stored
`version` field first and writes only a newer one, and a removal writes a tombstone
document that searches filter out. That check-then-write is safe under a stream's
per-item ordering (one consumer at a time per item), not against concurrent writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InvalidPageToken
from .fields import check_fields
from .opensearch_queries import document, hit_from, index_body, search_body
from .paging import check_page_size, decode_token, encode_token
from .port import SearchPage
from .query import parse_query

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

ENGINE = "opensearch"
SIGNING_SERVICES = ("es", "aoss")
TIMEOUT_SECONDS = 10


def opensearch_client(
    url: str, region: str = "", signing_service: str = "", credentials: Any = None
) -> OpenSearch:
    """A client of `url`. With `signing_service` (`es` for a domain, `aoss` for a
    Serverless collection) every request is signed with SigV4 by the credentials given,
    else boto3's default chain (a Lambda function's role). Without it, requests are not
    signed (a local OpenSearch; user:password in the URL is sent as basic auth).

    Urllib3AWSV4SignerAuth signs only the method, URL, body and host: aoss refuses
    requests whose every header was signed (RequestsAWSV4SignerAuth does that).
    """
    from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth, Urllib3HttpConnection

    auth = None
    if signing_service:
        if signing_service not in SIGNING_SERVICES:
            raise ValueError(f"signing_service must be one of {', '.join(SIGNING_SERVICES)}")
        if credentials is None:
            import boto3

            credentials = boto3.Session().get_credentials()
        auth = Urllib3AWSV4SignerAuth(credentials, region, signing_service)
    return OpenSearch(
        hosts=[url],
        http_auth=auth,
        connection_class=Urllib3HttpConnection,
        timeout=TIMEOUT_SECONDS,
        # Retries belong to the caller (the stream's own retries), not to each request.
        max_retries=0,
    )


class OpenSearchIndex:
    """SearchIndex on one OpenSearch index, created with its mapping at the first write."""

    def __init__(
        self, client: OpenSearch, name: str, serverless: bool = False, refresh: bool = False
    ) -> None:
        self._client = client
        self._name = name
        self._serverless = serverless
        # Tests want each write visible to the next search; production leaves refresh to
        # the engine's interval (refreshing per write costs the cluster).
        self._refresh = {"refresh": "true"} if refresh else {}
        self._created = False

    @property
    def name(self) -> str:
        return self._name

    def create(self) -> None:
        """Create the index with its mapping unless it exists."""
        if self._created:
            return
        if not self._client.indices.exists(index=self._name):
            from opensearchpy import RequestError

            try:
                self._client.indices.create(index=self._name, body=index_body(self._serverless))
            except RequestError as error:
                if error.error != "resource_already_exists_exception":
                    raise  # another writer made it first: anything else is a real error
        self._created = True

    def drop(self) -> None:
        """Delete the index and its documents (tests, teardown)."""
        self._client.indices.delete(index=self._name, ignore_unavailable=True)
        self._created = False

    def index(self, doc_id: str, version: int, fields: dict[str, str]) -> bool:
        check_fields(fields)
        self.create()
        body = document(doc_id, version, fields)
        if self._serverless:
            if self._stored_version(doc_id) >= version:
                return False
            self._client.index(index=self._name, id=doc_id, body=body, **self._refresh)
            return True
        from opensearchpy import ConflictError

        try:
            self._client.index(
                index=self._name,
                id=doc_id,
                body=body,
                version=version,
                version_type="external",
                **self._refresh,
            )
        except ConflictError:
            return False  # this or a newer version is held
        return True

    def remove(self, doc_id: str, version: int) -> bool:
        self.create()
        if self._serverless:
            if self._stored_version(doc_id) > version:
                return False
            tombstone = document(doc_id, version, None)
            self._client.index(index=self._name, id=doc_id, body=tombstone, **self._refresh)
            return True
        from opensearchpy import ConflictError, NotFoundError

        try:
            self._client.delete(
                index=self._name,
                id=doc_id,
                version=version,
                version_type="external_gte",
                **self._refresh,
            )
        except ConflictError:
            return False
        except NotFoundError:
            pass  # never indexed, or removed already: the version is recorded all the same
        return True

    def _stored_version(self, doc_id: str) -> int:
        from opensearchpy import NotFoundError

        try:
            found = self._client.get(index=self._name, id=doc_id, _source_includes="version")
        except NotFoundError:
            return -1
        return int(found.get("_source", {}).get("version", -1)) if found.get("found") else -1

    def search(self, query: str, page_size: int = 20, page_token: str | None = None) -> SearchPage:
        terms = parse_query(query)
        check_page_size(page_size)
        after = None if page_token is None else decode_token(ENGINE, query, page_token)
        if after is not None and not _is_sort_values(after):
            raise InvalidPageToken("the page token is not one this service issued")
        from opensearchpy import NotFoundError

        try:
            response = self._client.search(
                index=self._name, body=search_body(terms, page_size, after)
            )
        except NotFoundError:
            return SearchPage([])  # nothing indexed yet
        raw_hits = response["hits"]["hits"]
        hits = [hit_from(raw) for raw in raw_hits[:page_size]]
        more = len(raw_hits) > page_size
        token = encode_token(ENGINE, query, raw_hits[page_size - 1]["sort"]) if more else None
        return SearchPage(hits, token)


def _is_sort_values(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int | float)
        and isinstance(value[1], str)
    )
