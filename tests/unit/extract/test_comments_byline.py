"""A comment's writer and date written in words."""

from __future__ import annotations

import pytest

from crawler.extract.comments.byline import byline_author, byline_parts, says_name, signature_date


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Posted by: red bottom heels | 09/21/2012 at 09:38 PM",
            ("red bottom heels", "09/21/2012 at 09:38 PM"),
        ),
        (
            "Comment #1 - Posted by: MattPatt at November 10, 2012  5:39 PM",
            ("MattPatt", "November 10, 2012 5:39 PM"),
        ),
        ("written by Tony Hamilton,\n October 24, 2012", ("Tony Hamilton", "October 24, 2012")),
        ("Posted by Jon", ("Jon", None)),
        ("Great post, I was posted by my firm to Berlin last year and loved it.", None),
    ],
)
def test_byline_parts(line: str, expected: tuple[str, str | None] | None) -> None:
    assert byline_parts(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Chris Gosling says:", "Chris Gosling"),
        ("+ C98976 on August 9th, 2012 at 10:16 am said:", "C98976"),
        ("Lauren K says:", "Lauren K"),
        ("Ryan said,", "Ryan"),
        ("I think he said that the tram line is too slow for anyone to use, really.", None),
    ],
)
def test_says_name(line: str, expected: str | None) -> None:
    assert says_name(line) == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Nichole — June 26th, 2012, 10:27 am", "Nichole"),
        ("by Sage Lewis on August 2, 2011 at 1:57 am", "Sage Lewis"),
        ("Kris On Thursday, November 1, 2012 at 3:11 pm", "Kris"),
        ("BexC\nsaid...\nNovember 11, 2012 9:28 PM", "BexC"),
        ("Lyn Says:\nNovember 8th, 2012 at 8:46 pm", "Lyn"),
        ("09/04/2012", None),  # a date names nobody
        ("— July 20th, 2012, 3:12 pm", None),
        ("October 26, 2012\nJosé", None),  # the name is not on the first line
    ],
)
def test_byline_author(byline: str, expected: str | None) -> None:
    assert byline_author(byline) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("October 11, 2012", "2012-10-11"),
        ("October 11, 2012 | The New Diplomat's Wife and Family", "2012-10-11"),
        ("Ann Reader from Lisbon, Portugal · 12 March 2024", "2024-03-12"),
        ("I was there on October 11, 2012 | and it rained all day, sadly.", None),
        ("I was there on October 11, 2012 and it rained all day long.", None),
    ],
)
def test_signature_date(line: str, expected: str | None) -> None:
    assert signature_date(line) == expected
