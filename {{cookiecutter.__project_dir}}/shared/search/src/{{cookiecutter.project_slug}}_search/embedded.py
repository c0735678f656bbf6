"""The embedded engine: SQLite FTS5 in one file per stage and service, no server needed.

Each document field is a row of a plain table (`fields`), indexed by an FTS5 table
that reads its text from there (external content), so replacing a document is a
DELETE by doc_id on an indexed column rather than a scan of the full-text index.
A term matches a document when it matches any of its fields; a document's score is
the sum over terms of its best field's BM25, as the OpenSearch adapter's bool of
multi_match queries scores it. `versions` keeps each document's last version, also
after a removal, so replays and reordered records cannot go back in time.

This module imports sqlite3 at the top: import it only where search is used
(factory.py does, lazily).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .errors import InvalidPageToken, InvalidQuery
from .fields import check_fields
from .highlights import CLOSE_MARK, OPEN_MARK, marked_to_html
from .paging import check_page_size, decode_token, encode_token
from .port import Hit, SearchPage
from .query import Term, parse_query

ENGINE = "sqlite"
# Tokens of context around matches in a highlight fragment.
SNIPPET_TOKENS = 24
# How long a writer waits for another process's write (the dev server and the local
# stream delivery share the file) before giving up.
BUSY_TIMEOUT_SECONDS = 10.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    live INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fields (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    field TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fields_by_doc ON fields (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS entries USING fts5(
    doc_id UNINDEXED, field UNINDEXED, text,
    content='fields', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
CREATE TRIGGER IF NOT EXISTS fields_added AFTER INSERT ON fields BEGIN
    INSERT INTO entries (rowid, doc_id, field, text)
    VALUES (new.rowid, new.doc_id, new.field, new.text);
END;
CREATE TRIGGER IF NOT EXISTS fields_removed AFTER DELETE ON fields BEGIN
    INSERT INTO entries (entries, rowid, doc_id, field, text)
    VALUES ('delete', old.rowid, old.doc_id, old.field, old.text);
END;
"""


def fts_expression(term: Term) -> str:
    """The FTS5 query of one term. Words are letters and digits only (query.py), and
    quoted besides, so user input never becomes FTS5 syntax."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + "*" if term.kind == "prefix" else quoted


class SqliteSearchIndex:
    """SearchIndex on an SQLite file (created with its folder on first use)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # One connection per call: cheap for a file, and safe across threads and processes.
        opened = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_SECONDS)
        # closing() closes the file; the connection's own context is one transaction.
        with closing(opened) as connection, connection:
            yield connection

    def index(self, doc_id: str, version: int, fields: dict[str, str]) -> bool:
        check_fields(fields)
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")  # read the version and write atomically
            if not self._newer(connection, doc_id, version, allow_equal=False):
                return False
            connection.execute("DELETE FROM fields WHERE doc_id = ?", (doc_id,))
            connection.executemany(
                "INSERT INTO fields (doc_id, field, text) VALUES (?, ?, ?)",
                [(doc_id, name, text) for name, text in sorted(fields.items()) if text],
            )
            self._set_version(connection, doc_id, version, live=True)
            return True

    def remove(self, doc_id: str, version: int) -> bool:
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            # The removal of version v follows that version's own write: it applies to it.
            if not self._newer(connection, doc_id, version, allow_equal=True):
                return False
            connection.execute("DELETE FROM fields WHERE doc_id = ?", (doc_id,))
            self._set_version(connection, doc_id, version, live=False)
            return True

    @staticmethod
    def _newer(
        connection: sqlite3.Connection, doc_id: str, version: int, allow_equal: bool
    ) -> bool:
        row = connection.execute(
            "SELECT version, live FROM versions WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return True
        stored, live = int(row[0]), bool(row[1])
        return version > stored or (allow_equal and live and version == stored)

    @staticmethod
    def _set_version(connection: sqlite3.Connection, doc_id: str, version: int, live: bool) -> None:
        connection.execute(
            "INSERT INTO versions (doc_id, version, live) VALUES (?, ?, ?) "
            "ON CONFLICT (doc_id) DO UPDATE SET version = excluded.version, live = excluded.live",
            (doc_id, version, int(live)),
        )

    def search(self, query: str, page_size: int = 20, page_token: str | None = None) -> SearchPage:
        terms = parse_query(query)
        check_page_size(page_size)
        offset = 0 if page_token is None else decode_token(ENGINE, query, page_token)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise InvalidPageToken("the page token is not one this service issued")
        ranked = ",\n".join(
            f"t{n} AS (SELECT doc_id, min(r) AS s FROM "  # noqa: S608
            f"(SELECT doc_id, rank AS r FROM entries WHERE entries MATCH ?) GROUP BY doc_id)"
            for n in range(len(terms))
        )
        joins = " ".join(f"JOIN t{n} ON t{n}.doc_id = t0.doc_id" for n in range(1, len(terms)))
        score = " + ".join(f"t{n}.s" for n in range(len(terms)))
        # bm25() is lower for better matches; ties go by id so pages never overlap.
        # Only numbered table names are formatted in; every value is a bound parameter.
        sql = (
            f"WITH {ranked} SELECT t0.doc_id, {score} AS score FROM t0 {joins} "  # noqa: S608
            "ORDER BY score ASC, t0.doc_id ASC LIMIT ? OFFSET ?"
        )
        parameters = [fts_expression(term) for term in terms]
        with self._connection() as connection:
            try:
                rows = connection.execute(sql, [*parameters, page_size + 1, offset]).fetchall()
                page = rows[:page_size]
                highlights = self._highlights(connection, terms, [row[0] for row in page])
            except sqlite3.OperationalError as error:
                # Not expected from parsed terms; if FTS5 still refuses one, the query is at fault.
                raise InvalidQuery("the query cannot be searched for") from error
        hits = [Hit(doc_id, -float(rank), highlights.get(doc_id, {})) for doc_id, rank in page]
        more = len(rows) > page_size
        return SearchPage(hits, encode_token(ENGINE, query, offset + page_size) if more else None)

    @staticmethod
    def _highlights(
        connection: sqlite3.Connection, terms: list[Term], doc_ids: list[str]
    ) -> dict[str, dict[str, list[str]]]:
        if not doc_ids:
            return {}
        # Any term marks a field, whether or not the field holds the others.
        expression = " OR ".join(fts_expression(term) for term in terms)
        placeholders = ", ".join("?" for _ in doc_ids)
        rows = connection.execute(
            "SELECT doc_id, field, snippet(entries, 2, ?, ?, '…', ?) FROM entries "  # noqa: S608
            f"WHERE entries MATCH ? AND doc_id IN ({placeholders}) ORDER BY doc_id, field",
            [OPEN_MARK, CLOSE_MARK, SNIPPET_TOKENS, expression, *doc_ids],
        ).fetchall()
        found: dict[str, dict[str, list[str]]] = {}
        for doc_id, field, fragment in rows:
            found.setdefault(doc_id, {}).setdefault(field, []).append(marked_to_html(fragment))
        return found
