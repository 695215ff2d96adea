"""Date parsing shared by articles and comments."""

from __future__ import annotations

import pytest

from crawler.extract.dates import iso_with_zone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05T10:12:00Z", "2024-03-05T10:12:00+00:00"),
        ("2024-03-05T10:12:00+0100", "2024-03-05T10:12:00+01:00"),
        ("2024-03-05 10:12", "2024-03-05T10:12:00"),
        ("March 5, 2024 at 10:12 pm", "2024-03-05T22:12:00"),
        ("5. März 2024, 09:30", "2024-03-05T09:30:00"),
        ("05.03.2024", "2024-03-05"),
        # month first, as the second number says: no 29th month
        ("10/29/2012 5:14:46 PM", "2012-10-29T17:14:46"),
        ("yesterday", None),
        ("2024-02-30", None),
        ("1970-01-01T01:00:00+01:00", None),
        ("", None),
    ],
)
def test_iso_with_zone_keeps_given_precision(raw: str, expected: str | None) -> None:
    assert iso_with_zone(raw) == expected
