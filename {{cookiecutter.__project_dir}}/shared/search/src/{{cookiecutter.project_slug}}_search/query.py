"""The query language both engines accept, parsed once here so they agree on its meaning.

    brown fox        both words, anywhere in the document's fields (ranked BM25)
    "brown fox"      the phrase, within one field
    bro*             a word starting with "bro"

Words are runs of letters and digits, as SQLite's unicode61 tokenizer and the
OpenSearch mapping (opensearch_mapping.py) split text; everything else separates
them, so no character of user input reaches an engine as syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .errors import InvalidQuery

MAX_QUERY_CHARS = 256
MAX_TERMS = 12
# Letters and digits only: `_` separates words for unicode61, so it does here too.
WORD = re.compile(r"[^\W_]+")
# A quoted phrase, or a run of anything but spaces and quotes.
PIECE = re.compile(r'"([^"]*)"|([^\s"]+)')

Kind = Literal["word", "phrase", "prefix"]


@dataclass(frozen=True)
class Term:
    """One required term: `words` are lower-cased; a phrase has several, others one."""

    kind: Kind
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse_query(query: str) -> list[Term]:
    """The terms of `query`, each of which a document must match.

    Raises InvalidQuery when the query is too long, has an unclosed quote, too many
    terms, or nothing to search for.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the query is longer than {MAX_QUERY_CHARS} characters")
    if query.count('"') % 2:
        raise InvalidQuery("the query has an unclosed quote")
    terms: list[Term] = []
    for found in PIECE.finditer(query):
        phrase, bare = found.groups()
        if phrase is not None:
            words = _words(phrase)
            if len(words) == 1:
                terms.append(Term("word", words))
            elif words:
                terms.append(Term("phrase", words))
            continue
        words = _words(bare)
        if bare.endswith("*") and words:
            # `foo-ba*`: the last word is the prefix, the ones before it plain words.
            terms.extend(Term("word", (word,)) for word in words[:-1])
            terms.append(Term("prefix", words[-1:]))
        else:
            terms.extend(Term("word", (word,)) for word in words)
    if not terms:
        raise InvalidQuery("the query has no word to search for")
    if len(terms) > MAX_TERMS:
        raise InvalidQuery(f"the query has more than {MAX_TERMS} terms")
    return list(dict.fromkeys(terms))


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in WORD.findall(text))
