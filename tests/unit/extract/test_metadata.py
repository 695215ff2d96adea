"""Article metadata: JSON-LD fields, canonical URL, image, authors from meta and bylines."""

from __future__ import annotations

from crawler.extract import extract_article
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    URL,
    article_html,
)


def test_jsonld_metadata_with_time_and_zone() -> None:
    article = extract_article(article_html(head=JSONLD_HEAD), URL)
    assert article["published"] == "2024-05-14T08:30:00+02:00"
    assert article["modified"] == "2024-05-14T10:00:00+02:00"
    assert article["date_source"] == "json-ld"
    assert article["authors"] == ["Ada Byline", "Ben Second"]
    assert article["section"] == "City"
    assert article["tags"] == ["transport", "council"]
    assert article["image"] == "https://daily.example/img/tram.jpg"
    assert article["canonical_url"] == "https://daily.example/city/tram-extension/"
    assert article["description"] == "The council voted to extend the tram line."
    assert article["site_name"] == "The Daily Example"
    assert article["language"] == "en"
    assert article["is_article"] is True


def test_meta_authors_split_and_byline_fallback() -> None:
    head = '<meta name="author" content="By Ada Byline and Ben Second">'
    assert extract_article(article_html(head=head), URL)["authors"] == ["Ada Byline", "Ben Second"]
    before = '<div class="byline">by <span class="author vcard"><span class="fn">Cleo Third</span></span></div>'
    assert extract_article(article_html(before=before), URL)["authors"] == ["Cleo Third"]
