"""The JSON the OpenSearch adapter sends: index settings and mapping, documents, searches.

Plain functions of plain data, so the exact payloads are tested offline and the
adapter (opensearch.py) only moves them. Fields live under one `fields` object whose
every string is text analysed like SQLite's unicode61 tokenizer (letters and digits,
lower-cased, accents folded), so both engines split and match words alike.
"""

from __future__ import annotations

from typing import Any

from .port import Hit
from .query import Term

FIELDS = "fields"
ALL_FIELDS = f"{FIELDS}.*"
ANALYZER = "folded"
# Tombstones of deletes (external versions) are kept this long: longer than a
# DynamoDB stream keeps a record (24 h), so a replayed old record stays refused.
GC_DELETES = "25h"
FRAGMENT_CHARS = 150


def index_body(serverless: bool) -> dict[str, Any]:
    """Settings and mapping of a new index. Serverless collections refuse index.gc_deletes
    (and external versions altogether), so they get the analysis only."""
    analysis = {
        "tokenizer": {"letters_digits": {"type": "pattern", "pattern": r"[^\p{L}\p{N}]+"}},
        "analyzer": {
            ANALYZER: {
                "type": "custom",
                "tokenizer": "letters_digits",
                "filter": ["lowercase", "asciifolding"],
            }
        },
    }
    settings: dict[str, Any] = {"analysis": analysis}
    if not serverless:
        settings["index"] = {"gc_deletes": GC_DELETES}
    return {
        "settings": settings,
        "mappings": {
            "dynamic": "strict",
            "dynamic_templates": [
                {
                    "field_text": {
                        "path_match": ALL_FIELDS,
                        "match_mapping_type": "string",
                        "mapping": {"type": "text", "analyzer": ANALYZER},
                    }
                }
            ],
            "properties": {
                "doc_id": {"type": "keyword"},
                "version": {"type": "long"},
                "deleted": {"type": "boolean"},
                FIELDS: {"type": "object", "dynamic": True},
            },
        },
    }


def document(doc_id: str, version: int, fields: dict[str, str] | None) -> dict[str, Any]:
    """A document; `fields=None` is the tombstone a serverless collection keeps for a removal."""
    return {
        "doc_id": doc_id,
        "version": version,
        "deleted": fields is None,
        FIELDS: {name: text for name, text in (fields or {}).items() if text},
    }


def term_clause(term: Term) -> dict[str, Any]:
    """One required term over every field. A prefix is `bool_prefix`: a prefix query on
    each field, with no cap on how many words it expands to (phrase_prefix has one)."""
    kind = {"word": "best_fields", "phrase": "phrase", "prefix": "bool_prefix"}[term.kind]
    return {"multi_match": {"query": term.text, "fields": [ALL_FIELDS], "type": kind}}


def search_body(
    terms: list[Term], page_size: int, search_after: list[Any] | None
) -> dict[str, Any]:
    """One page of hits: every term required, best score first, ties by id; one more hit
    than the page is asked for, to know whether another page follows."""
    body: dict[str, Any] = {
        "size": page_size + 1,
        "_source": False,
        "track_scores": True,
        "query": {
            "bool": {
                "must": [term_clause(term) for term in terms],
                "filter": [{"term": {"deleted": False}}],
            }
        },
        "sort": [{"_score": {"order": "desc"}}, {"doc_id": {"order": "asc"}}],
        "highlight": {
            "encoder": "html",
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fragment_size": FRAGMENT_CHARS,
            "number_of_fragments": 1,
            "fields": {ALL_FIELDS: {}},
        },
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def hit_from(raw: dict[str, Any]) -> Hit:
    highlights = {
        name.removeprefix(FIELDS + "."): list(fragments)
        for name, fragments in raw.get("highlight", {}).items()
    }
    return Hit(str(raw["_id"]), float(raw.get("_score") or 0.0), highlights)
