"""The flat fallback over trafilatura's comment text."""

from __future__ import annotations

from crawler.extract.comments import flat_comments
from tests.unit.extract.comment_page import URL


def test_flat_fallback_drops_pingback_excerpts() -> None:
    flat = "[…] Zum Trailer des Filmes geht es hier: FUTURE of HOPE […]"
    assert flat_comments(flat, URL) == []
    real = "Ich finde den Artikel sehr gut geschrieben, danke für die vielen Details zur Stadt."
    assert [c.text for c in flat_comments(f"{flat}\n{real}", URL)] == [real]
