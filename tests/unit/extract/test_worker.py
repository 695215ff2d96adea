"""The process-pool worker functions."""

from __future__ import annotations

from crawler.extract import ExtractionOptions, extract_article
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    URL,
    article_html,
)


def test_worker_extract_matches_extract_article() -> None:
    from crawler.extract import worker_extract

    body = article_html(head=JSONLD_HEAD).encode()
    assert worker_extract(body, URL, "utf-8", ExtractionOptions(), {}) == extract_article(
        body, URL, encoding="utf-8"
    )
