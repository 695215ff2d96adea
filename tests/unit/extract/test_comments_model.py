"""Comment ids."""

from __future__ import annotations

import pytest

from crawler.extract.comments import short_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("comment-101", "101"),
        ("li-comment-7", "7"),
        ("https://x.example/a#comment-521", "521"),
        ("c-1", "1"),
        ("abc", "abc"),
        (None, None),
    ],
)
def test_short_id(raw: str | None, expected: str | None) -> None:
    assert short_id(raw) == expected
