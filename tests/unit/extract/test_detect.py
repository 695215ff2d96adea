"""looks_like_article: og:type, JSON-LD and article markup."""

from __future__ import annotations

from crawler.extract import looks_like_article
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    URL,
    article_html,
)


def test_looks_like_article() -> None:
    assert looks_like_article(article_html(head='<meta property="og:type" content="article">'), URL)
    assert looks_like_article(article_html(head=JSONLD_HEAD), "https://daily.example/x")
    assert looks_like_article(article_html(), URL)  # <article> with three long paragraphs
    index = "<html><head><meta property='og:type' content='website'></head><body>" + "".join(
        f"<h2><a href='/a{i}'>Headline {i}</a></h2>" for i in range(20)
    )
    assert not looks_like_article(index + "</body></html>", "https://daily.example/city/")
