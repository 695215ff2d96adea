"""Article metadata: JSON-LD fields (wherever they sit), headline, canonical URL, image, authors."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    TITLE,
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


NEWS_LD = (
    '{"@type": "NewsArticle", "headline": "Council approves northern tram extension",'
    ' "datePublished": "2024-05-14T08:30:00+02:00",'
    ' "author": [{"@type": "Person", "name": "Ada Byline"}]}'
)


@pytest.mark.parametrize(
    "script",
    [
        # WebPage.mainEntity
        '{"@context": "https://schema.org", "@type": "WebPage", "mainEntity": ' + NEWS_LD + "}",
        # @graph, the author a reference to a Person of the graph
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "@id": "#page"},'
        ' {"@type": "NewsArticle", "headline": "Council approves northern tram extension",'
        ' "datePublished": "2024-05-14T08:30:00+02:00", "author": {"@id": "#ada"}},'
        ' {"@type": "Person", "@id": "#ada", "name": "Ada Byline"}]}',
        # wrapped for old parsers
        "//<![CDATA[\n" + NEWS_LD + "\n//]]>",
        "/*<![CDATA[*/" + NEWS_LD + "/*]]>*/",
    ],
    ids=["mainEntity", "graph-reference", "cdata-line", "cdata-block"],
)
def test_jsonld_article_is_found_wherever_it_sits(script: str) -> None:
    head = f'<script type="application/ld+json">{script}</script>'
    article = extract_article(article_html(head=head), URL)
    assert article["authors"] == ["Ada Byline"]
    assert article["published"] == "2024-05-14T08:30:00+02:00"
    assert article["date_source"] == "json-ld"


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="You won\'t believe where the tram goes next">',
        '<meta property="og:title" content="Council approves northern tram...">',
        '<meta property="og:title" content="Council approves northern tram…">'
        '<meta name="twitter:title" content="Trams! Trams! Trams!">',
    ],
    ids=["social-variant", "truncated", "truncated-and-twitter"],
)
def test_the_pages_headline_wins_over_social_and_truncated_titles(head: str) -> None:
    assert extract_article(article_html(head=head), URL)["title"] == TITLE


def test_a_logo_h1_is_not_the_headline() -> None:
    page = article_html(
        head='<meta property="og:title" content="Trams approved">',
        title_tag="Trams approved | The Daily Example",
    ).replace("<header>", "<header><h1>The Daily Example</h1>", 1)
    assert extract_article(page, URL)["title"] == "Trams approved"


@pytest.mark.parametrize(
    ("head", "authors"),
    [
        (
            '<meta name="author" content="Ada Byline, Ben Second, dpa">',
            ["Ada Byline", "Ben Second", "dpa"],
        ),
        ('<meta name="author" content="Byline, Ada">', ["Byline, Ada"]),
        ('<meta name="author" content="ada.byline@daily.example">', ["Ada Byline"]),
        ('<meta name="author" content="news@daily.example (Ada Byline)">', ["Ada Byline"]),
        ('<meta name="author" content="Ada Byline (Image: Getty Images)">', ["Ada Byline"]),
        ('<meta name="author" content="1234567">', ["Cleo Third"]),
        ('<meta name="author" content="The Daily Example">', ["Cleo Third"]),
        ('<meta name="author" content="DailyExample.de">', ["Cleo Third"]),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "author":'
            ' {"@type": "Organization", "name": "Daily Example Media (www.daily.example)"}}</script>',
            ["Cleo Third"],
        ),
    ],
    ids=["agency", "surname-first", "email", "email-name", "credit", "id", "site", "domain", "org"],
)
def test_authors_are_people(head: str, authors: list[str]) -> None:
    byline = '<div class="byline">by <span class="author vcard"><span class="fn">Cleo Third</span></span></div>'
    assert extract_article(article_html(head=head, before=byline), URL)["authors"] == authors
