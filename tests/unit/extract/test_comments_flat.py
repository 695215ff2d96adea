"""The flat fallback over trafilatura's comment text."""

from __future__ import annotations

from crawler.extract.comments import flat_comments
from tests.unit.extract.comment_page import URL


def test_flat_fallback_drops_pingback_excerpts() -> None:
    flat = "[…] Zum Trailer des Filmes geht es hier: FUTURE of HOPE […]"
    assert flat_comments(flat, URL) == []
    real = "Ich finde den Artikel sehr gut geschrieben, danke für die vielen Details zur Stadt."
    assert [c.text for c in flat_comments(f"{flat}\n{real}", URL)] == [real]


def test_flat_fallback_drops_notices_and_lists_of_titles() -> None:
    notices = "\n".join(
        [
            "Disclaimer: The content on this site is general information, not investment advice.",
            "By clicking and submitting a comment I acknowledge the Privacy Policy of this site.",
            "TrackBack URL for this entry: http://blog.example/trackback/281459",
            "3 Responses to “Council approves northern tram extension”",
            "Pingback:",
        ]
    )
    assert flat_comments(notices, URL) == []
    titles = (
        "Five Tips for Tying Your Business Into Your Foundation:\nHeadline Writing Drives Traffic"
    )
    assert flat_comments(titles, URL) == []
    real = "I rode the old line for years and I am glad it finally goes further north."
    assert [c.text for c in flat_comments(f"{notices}\n{real}", URL)] == [real]
