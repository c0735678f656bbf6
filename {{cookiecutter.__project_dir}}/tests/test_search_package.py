"""The search package's parts that need no engine: query parsing, record fields, the factory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }}_search import (
    SearchConfigError,
    Term,
    parse_query,
    search_index,
    searchable_fields,
)
from {{ cookiecutter.project_slug }}_search.embedded import SqliteSearchIndex


def test_a_query_becomes_words_phrases_and_prefixes() -> None:
    assert parse_query('Quick "Brown  Fox" jum* foo-bar "one" Quick') == [
        Term("word", ("quick",)),
        Term("phrase", ("brown", "fox")),
        Term("prefix", ("jum",)),
        Term("word", ("foo",)),
        Term("word", ("bar",)),
        Term("word", ("one",)),
    ]


def test_a_records_strings_become_fields_named_by_path() -> None:
    data = {
        "title": "Hi",
        "tags": ["a", "b", 3],
        "author": {"name": "Ann", "age": 40, "site.url": "x"},
        "done": True,
        "blank": "  ",
        "items": [{"label": "one"}, {"label": "two"}],
    }

    assert searchable_fields(data) == {
        "title": "Hi",
        "tags": "a\nb",
        "author/name": "Ann",
        "author/site_url": "x",
        "items/label": "one\ntwo",
    }


def test_the_factory_files_the_embedded_index_under_the_state_folder(tmp_path: Path) -> None:
    built = search_index(stage="dev", service="notes", state_dir=tmp_path)

    assert isinstance(built, SqliteSearchIndex)
    assert built.path == tmp_path / "search" / "dev-notes.sqlite3"


@pytest.mark.parametrize(
    "settings",
    [{}, {"state_dir": Path("x"), "stage": "../up"}, {"url": "https://x", "signing_service": "s3"}],
    ids=["no-engine", "unsafe-stage", "unknown-signing"],
)
def test_the_factory_refuses_settings_it_cannot_honour(settings: dict[str, object]) -> None:
    arguments: dict[str, object] = {"stage": "dev", "service": "notes", **settings}
    with pytest.raises(SearchConfigError):
        search_index(**arguments)  # type: ignore[arg-type]


def test_importing_the_package_loads_no_engine() -> None:
    code = (
        "import sys, {{ cookiecutter.project_slug }}_search; "
        "print(sorted(m for m in ('sqlite3', 'opensearchpy', 'requests') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.stdout.strip() == "[]", result.stderr
