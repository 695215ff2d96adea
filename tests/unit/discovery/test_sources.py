"""Sources from ARCHIVE_SOURCES dicts, -a source= and -a url=; pre-fetch dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.discovery.dates import best_known_date, older_than
from crawler.discovery.sources import SourceError, SourcePlan, as_source, select_sources

CONFIGURED = [
    {
        "name": "a",
        "start_urls": ["https://www.a.example/"],
        "feeds": ["https://feeds.a.example/rss?utm_source=x"],
        "sitemaps": [],
        "allow": ["/news/"],
        "deny": ["/live/"],
        "max_age_days": 7,
        "depth": 1,
    },
    {"name": "b", "sitemaps": ["https://b.example/sitemap.xml"], "domains": ["b.example"]},
]


def test_configured_sources():
    a, b = select_sources(CONFIGURED)
    assert a.feeds == ("https://feeds.a.example/rss",)
    assert a.domains == ("www.a.example", "feeds.a.example")  # default: hosts of its URLs
    assert a.rules.allowed("https://a.example/news/x")  # www. covers the bare domain
    assert not a.rules.allowed("https://a.example/live/news/x")
    assert (a.max_age_days, a.depth) == (7, 1)
    assert a.origins() == ["https://www.a.example", "https://feeds.a.example"]
    assert b.domains == ("b.example",) and b.max_age_days is None and b.depth is None


def test_select_by_name_and_ad_hoc_url():
    assert [p.name for p in select_sources(CONFIGURED, source="b")] == ["b"]
    with pytest.raises(SourceError, match=r"no source named 'c'.*a, b"):
        select_sources(CONFIGURED, source="c")
    [adhoc] = select_sources(CONFIGURED, url="https://News.Example/world/#top")
    assert adhoc == SourcePlan.ad_hoc("https://news.example/world/")
    assert adhoc.start_urls == ("https://news.example/world/",)
    assert adhoc.name == "news.example"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_urls": ["https://x.example/"]}, "no name"),
        ({"name": "x"}, "no start_urls, feeds or sitemaps"),
        ({"name": "x", "feeds": ["ftp://x.example/f"]}, "not an http"),
        ({"name": "x", "start_urls": ["https://x.example/"], "allow": ["("]}, "bad allow/deny"),
    ],
)
def test_bad_sources(data, message):
    with pytest.raises(SourceError, match=message):
        SourcePlan.from_source(as_source(data))


def test_best_known_date_prefers_published_then_url_then_modified():
    url = "https://n.example/2024/03/07/story"
    assert best_known_date({"published": "2024-03-09T00:00:00Z"}, url) == datetime(
        2024, 3, 9, tzinfo=timezone.utc
    )
    assert best_known_date({"lastmod": "2024-03-10"}, url) == date(2024, 3, 7)
    assert best_known_date({"lastmod": "2024-03-10"}, "https://n.example/s") == datetime(
        2024, 3, 10, tzinfo=timezone.utc
    )
    assert best_known_date({}, "https://n.example/s") is None


def test_older_than():
    now = datetime(2024, 3, 10, 12, tzinfo=timezone.utc)
    assert older_than(now - timedelta(days=8), 7, now=now)
    assert not older_than(now - timedelta(days=6), 7, now=now)
    # A bare date counts until the end of its day.
    assert not older_than(date(2024, 3, 3), 7, now=now)
    assert older_than(date(2024, 3, 2), 7, now=now)


def test_published_too_old():
    from crawler.discovery.dates import published_too_old

    now = datetime(2024, 3, 10, tzinfo=timezone.utc)
    assert published_too_old("2024-01-01T00:00:00Z", 30, now=now)
    assert not published_too_old("2024-03-01T00:00:00Z", 30, now=now)
    assert not published_too_old(None, 30, now=now)
    assert not published_too_old("2001-01-01", None, now=now)


def test_article_urls_declare_articles_without_detection() -> None:
    plan = SourcePlan.from_source(
        as_source(
            {
                "name": "bench",
                "start_urls": ["http://a.example/"],
                "article_urls": ["/pages/", r"\.html$"],
            }
        )
    )
    assert plan.is_article_url("http://a.example/pages/x")
    assert plan.is_article_url("http://a.example/y.html")
    assert not plan.is_article_url("http://a.example/section/")
    with pytest.raises(SourceError, match="article_urls"):
        SourcePlan.from_source(
            as_source({"name": "b", "start_urls": ["http://a.example/"], "article_urls": ["("]})
        )
