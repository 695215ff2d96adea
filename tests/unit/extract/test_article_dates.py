"""Article dates: the order of date signals, hints, and what never counts as a date."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from tests.unit.extract.article_page import (
    TITLE,
    URL,
    article_html,
)


@pytest.mark.parametrize(
    ("head", "before", "url", "hints", "published", "source"),
    [
        (
            '<meta property="article:published_time" content="2024-05-14T06:00:00Z">',
            "",
            URL,
            None,
            "2024-05-14T06:00:00+00:00",
            "meta",
        ),
        (
            "",
            '<time class="entry-date published" datetime="2024-05-13T21:15:00-04:00">May 13</time>',
            URL,
            None,
            "2024-05-13T21:15:00-04:00",
            "time-element",
        ),
        (
            "",
            "",
            URL,
            {"via": "feed", "published": "2024-05-14T07:45:00+02:00"},
            "2024-05-14T07:45:00+02:00",
            "feed",
        ),
        (
            "",
            "",
            "https://daily.example/tram/",
            {"via": "sitemap", "published": "2024-05-12"},
            "2024-05-12",
            "sitemap",
        ),
        ("", "", URL, None, "2024-05-14", "url"),
    ],
)
def test_date_signals_in_order(
    head: str, before: str, url: str, hints: dict[str, str] | None, published: str, source: str
) -> None:
    article = extract_article(article_html(head=head, before=before), url, hints=hints)
    assert (article["published"], article["date_source"]) == (published, source)


def test_page_date_wins_over_feed_hint() -> None:
    head = '<meta property="article:published_time" content="2024-05-14T06:00:00+00:00">'
    hints = {"via": "feed", "published": "2024-05-15T00:00:00+00:00", "title": "Feed title"}
    article = extract_article(article_html(head=head), URL, hints=hints)
    assert article["published"] == "2024-05-14T06:00:00+00:00"
    assert article["title"] == TITLE


def test_no_date_anywhere_gives_null_never_the_crawl_time() -> None:
    article = extract_article(article_html(), "https://daily.example/tram/")
    assert article["published"] is None
    assert article["modified"] is None
    assert article["date_source"] is None


def test_modified_equal_to_published_is_null() -> None:
    head = (
        '<meta property="article:published_time" content="2024-05-14T06:00:00+00:00">'
        '<meta property="article:modified_time" content="2024-05-14T06:00:00+00:00">'
    )
    assert extract_article(article_html(head=head), URL)["modified"] is None


def test_a_caption_date_is_not_the_publication_date() -> None:
    caption = (
        '<figure><img src="/t.jpg"><figcaption>The old tram depot, photographed on'
        ' <time datetime="1998-07-02T10:00:00Z">2 July 1998</time></figcaption></figure>'
    )
    byline = (
        '<p class="byline">Published <time datetime="2024-05-14T09:00:00+02:00">14 May</time></p>'
    )
    article = extract_article(article_html(before=caption + byline), "https://daily.example/tram/")
    assert article["published"] == "2024-05-14T09:00:00+02:00"
    alone = extract_article(article_html(before=caption), "https://daily.example/tram/")
    assert not (alone["published"] or "").startswith("1998")


def test_the_zone_another_source_gives_for_the_same_time_is_kept() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "2024-05-14T08:30:00", "dateModified": "2024-05-14T10:00:00"}</script>'
        '<meta property="article:published_time" content="2024-05-14T08:30:00+02:00">'
        '<meta property="article:modified_time" content="2024-05-14T10:00:00+02:00">'
    )
    article = extract_article(article_html(head=head), URL)
    assert article["published"] == "2024-05-14T08:30:00+02:00"
    assert article["modified"] == "2024-05-14T10:00:00+02:00"
    other_time = head.replace('08:30:00+02:00"', '09:30:00+02:00"')
    # a different instant lends no zone
    assert extract_article(article_html(head=other_time), URL)["published"] == "2024-05-14T08:30:00"
