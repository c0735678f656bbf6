"""Reading values the contract has checked, without any I/O."""

from __future__ import annotations

import pytest

from chalicelib.http import expected_version


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ("*", None), ('"3"', 3), ('W/"4"', 4), ('"0005"', 5)]
)
def test_if_match_names_a_version(header: str | None, version: int | None) -> None:
    assert expected_version(header) == version
