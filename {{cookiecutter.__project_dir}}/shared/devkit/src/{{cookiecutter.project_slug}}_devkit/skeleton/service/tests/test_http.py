"""Request parsing rules, without any I/O."""

from __future__ import annotations

import pytest
from chalice import BadRequestError

from chalicelib.http import expected_version, page_params


def test_page_params_defaults() -> None:
    assert page_params(None) == (20, None)
    assert page_params({"limit": "5", "next_token": "abc"}) == (5, "abc")


@pytest.mark.parametrize(
    "query", [{"next_token": ""}, {"next_token": "a" * 257}, {"next_token": "a="}]
)
def test_page_params_rejects_tokens_of_another_shape(query: dict[str, str]) -> None:
    with pytest.raises(BadRequestError):
        page_params(query)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "", "²", "1" * 5000])
def test_page_params_rejects_out_of_range_limits(limit: str) -> None:
    with pytest.raises(BadRequestError):
        page_params({"limit": limit})


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ("*", None), ('"3"', 3), ('W/"4"', 4), (' "5" ', 5)]
)
def test_if_match_names_a_version(header: str | None, version: int | None) -> None:
    assert expected_version(header) == version


@pytest.mark.parametrize(
    "header",
    ['"abc"', '"-1"', '""', "5", '"5', '"²"', '"' + "9" * 5000 + '"', '"' + "9" * 19 + '"'],
)
def test_if_match_rejects_other_tags(header: str) -> None:
    with pytest.raises(BadRequestError):
        expected_version(header)
