"""Advertised feeds, canonical links, section links with allow/deny, article detection."""

from __future__ import annotations

import pytest

from crawler.discovery.articles import classify_page, url_looks_like_article
from crawler.discovery.links import (
    LinkRules,
    advertised_feeds,
    canonical_link,
    extract_links,
    language_alternates,
    parse_html,
    parse_html_head,
)

URL = "https://www.n.example/politics/"

SECTION = b"""<!doctype html><html><head>
<title>Politics</title>
<link rel="alternate" type="application/rss+xml" title="All" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Politics" href="/politics/atom.xml">
<link rel="Alternate" type="application/feed+json" href="https://www.n.example/feed.json">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/3">
<link rel="alternate" hreflang="de" href="/de/politik/">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="application/rss+xml" title="N &raquo; Comments Feed"
  href="/comments/feed/">
<link rel="alternate" type="application/rss+xml" title="N &raquo; Budget Kommentare"
  href="/2024/03/07/budget/feed/">
<link rel="canonical" href="https://www.n.example/politics/?utm_source=x">
<meta property="og:type" content="website">
</head><body>
<a href="/2024/03/07/budget-vote?utm_medium=rss#comments">Budget</a>
<a href="https://n.example/politics/page/2">Next</a>
<a href="https://blog.n.example/a-post">Blog</a>
<a href="https://other.example/2024/03/07/x">Elsewhere</a>
<a href="/login?next=/politics/">Log in</a>
<a href="/media/photo.JPG">Photo</a>
<a href="#top">Top</a><a href="mailto:desk@n.example">Mail</a>
<a href="javascript:void(0)">JS</a>
<a href="/2024/03/07/budget-vote">Budget again</a>
</body></html>"""


def test_all_advertised_feeds_in_order():
    feeds = advertised_feeds(parse_html(SECTION), URL)
    assert [(f.url, f.type) for f in feeds] == [
        ("https://www.n.example/feed.xml", "application/rss+xml"),
        ("https://www.n.example/politics/atom.xml", "application/atom+xml"),
        ("https://www.n.example/feed.json", "application/feed+json"),
    ]
    assert feeds[1].title == "Politics"
    with_comments = advertised_feeds(parse_html(SECTION), URL, comments=True)
    assert [f.url for f in with_comments if f.is_comments] == [
        "https://www.n.example/comments/feed/",
        "https://www.n.example/2024/03/07/budget/feed/",
    ]


def test_base_href_applies():
    doc = parse_html(
        b'<html><head><base href="https://cdn.n.example/x/">'
        b'<link rel="alternate" type="application/rss+xml" href="rss"></head></html>'
    )
    assert advertised_feeds(doc, URL)[0].url == "https://cdn.n.example/x/rss"


def test_canonical_link():
    assert canonical_link(parse_html(SECTION), URL) == "https://www.n.example/politics/"
    offsite = b'<html><head><link rel="canonical" href="https://evil.example/x"></head></html>'
    assert canonical_link(parse_html(offsite), URL) is None
    assert canonical_link(parse_html(b"<html><body>x</body></html>"), URL) is None
    assert canonical_link(None, URL) is None


def test_section_links_domain_allow_deny():
    doc = parse_html(SECTION)
    rules = LinkRules.build(domains=["www.n.example"], deny=[r"/login"])
    assert extract_links(doc, URL, rules) == [
        "https://www.n.example/2024/03/07/budget-vote",
        "https://n.example/politics/page/2",
        "https://blog.n.example/a-post",
    ]
    only_dated = LinkRules.build(domains=["n.example"], allow=[r"/\d{4}/\d{2}/\d{2}/"])
    assert extract_links(doc, URL, only_dated) == ["https://www.n.example/2024/03/07/budget-vote"]
    assert "https://other.example/2024/03/07/x" in extract_links(doc, URL, None)


def test_rules_predicates():
    rules = LinkRules.build(domains=["n.example"], allow=["/news/"], deny=["/news/live"])
    assert rules.allowed("https://n.example/news/a")
    assert not rules.allowed("https://n.example/news/live/a")
    assert not rules.allowed("https://n.example/sport/a")
    assert not rules.allowed("https://x.example/news/a")
    assert rules.denied("https://n.example/news/live")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://n.example/2024/03/07/budget-vote", True),
        ("https://n.example/politics/2024-03-07-budget.html", True),
        ("https://n.example/news/budget-vote-passes", True),
        ("https://n.example/news/world-europe", False),  # a BBC-style section
        ("https://n.example/article/budget", True),
        ("https://n.example/world/europe-68512345", True),
        ("https://n.example/the-budget-vote-was-close", True),
        ("https://n.example/", False),
        ("https://n.example/politics/", False),
        ("https://n.example/tag/budget-vote-news-today", False),
        ("https://n.example/2024/03/07/", False),
        ("https://n.example/category/news/politics", False),
        ("https://n.example/about", False),
    ],
)
def test_url_looks_like_article(url, expected):
    assert url_looks_like_article(url) is expected


ARTICLE_OG = b'<html><head><meta property="og:type" content="article"></head></html>'
ARTICLE_LD = b"""<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"},
 {"@type": ["NewsArticle"], "headline": "x"}]}</script></head><body></body></html>"""
LISTING_LD = b"""<html><head><script type="application/ld+json">
{"@graph": [{"@type": "WebSite"}, {"@type": "CollectionPage",
 "hasPart": [{"@type": "NewsArticle"}]}]}</script>
<script type="application/ld+json">{not json</script></head></html>"""
PUBLISHED = b'<html><head><meta property="article:published_time" content="2024"></head></html>'
WEBSITE_LD = b"""<html><head><script type="application/ld+json">
{"@graph": [{"@type": "WebSite"}, {"@type": "WebPage"}]}</script></head></html>"""


@pytest.mark.parametrize(
    ("body", "url", "is_article", "reason"),
    [
        (ARTICLE_OG, "https://n.example/x", True, "og:type"),
        (ARTICLE_LD, "https://n.example/x", True, "json-ld"),
        (LISTING_LD, "https://n.example/2024/03/07/x-y", False, "listing metadata"),
        (SECTION, "https://n.example/politics/", False, "listing metadata"),
        # og:type=website is on every page of many CMSes: a clear article URL outweighs it.
        (SECTION, "https://n.example/2024/03/07/a-b", True, "url"),
        (PUBLISHED, "https://n.example/x", True, "article:published_time"),
        (WEBSITE_LD, "https://n.example/world/europe-68512345", True, "url"),
        (WEBSITE_LD, "https://n.example/world/", False, "no article signal"),
        (b"<html><body><p>x</p></body></html>", "https://n.example/2024/03/07/a", True, "url"),
        (b"<html><body><p>x</p></body></html>", "https://n.example/about", False, None),
    ],
)
def test_classify_page(body, url, is_article, reason):
    verdict = classify_page(parse_html(body), url)
    assert verdict.is_article is is_article
    if reason:
        assert verdict.reason == reason


def test_malformed_hrefs_are_skipped():
    doc = parse_html(
        b'<html><head><link rel="alternate" type="application/rss+xml" href="http://[x/feed">'
        b'</head><body><a href="http://[::1/x">bad</a><a href="/ok-story">ok</a></body></html>'
    )
    assert advertised_feeds(doc, URL) == []
    assert extract_links(doc, URL) == ["https://www.n.example/ok-story"]


@pytest.mark.parametrize(
    "path",
    [
        "/tag/harbours/",
        "/tags/climate",
        "/author/ana-lima/",
        "/de/author/ana-lima/page/2/",
        "/category/world/",
        "/section/science/",
        "/search/?q=harbour",
        "/search",
        "/?s=harbour",
    ],
)
def test_listing_urls_are_never_articles_whatever_the_metadata(path: str) -> None:
    from crawler.discovery.articles import is_listing_url
    from crawler.discovery.links import parse_html

    url = "https://news.example" + path
    assert is_listing_url(url) and not url_looks_like_article(url)
    page = (
        b'<html><head><meta property="og:type" content="article">'
        b'<meta property="article:published_time" content="2026-11-25T10:00:00Z">'
        b"</head><body><h1>Harbours</h1></body></html>"
    )
    assert classify_page(parse_html(page, "utf-8"), url).reason == "listing url"


@pytest.mark.parametrize(
    "path",
    ["/2026/11/26/ferry-line-reopens/", "/news/12345-tag-day", "/tagging/of-birds-in-winter-x"],
)
def test_articles_are_not_listings(path: str) -> None:
    from crawler.discovery.articles import is_listing_url

    assert not is_listing_url("https://news.example" + path)


def test_language_alternates_from_the_head() -> None:
    from crawler.discovery.links import language_alternates, parse_html

    page = b"""<html><head>
<link rel="alternate" hreflang="en" href="https://news.example/a/">
<link rel="alternate" hreflang="de" href="/de/a/">
<link rel="alternate" hreflang="x-default" href="https://other.example/a/">
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="alternate" hreflang="fr" href="/de/a/">
</head><body></body></html>"""
    assert language_alternates(parse_html(page, "utf-8"), "https://news.example/a/") == [
        "https://news.example/de/a/",
        "https://other.example/a/",
    ]


def _page(head: bytes, body: bytes) -> bytes:
    filler = b"".join(b"<p>paragraph %d</p>" % i for i in range(3000))  # several chunks
    return b"<!doctype html><html><head>" + head + b"</head><body>" + filler + body + b"</body>"


HEAD = (
    b'<base href="https://www.n.example/news/">'
    b'<script>var t = "<body>";</script><!-- <body> in a comment -->'
    b'<link rel="canonical" href="budget-vote">'
    b'<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    b'<link rel="alternate" hreflang="de" href="/de/budget/">'
)


def _says(doc: object) -> tuple[object, ...]:
    return (
        canonical_link(doc, URL),  # type: ignore[arg-type]
        [f.url for f in advertised_feeds(doc, URL)],  # type: ignore[arg-type]
        language_alternates(doc, URL),  # type: ignore[arg-type]
    )


def test_the_head_alone_says_what_the_whole_page_says() -> None:
    page = _page(HEAD, b'<link rel="stylesheet" href="/late.css"><p id="last">end</p>')
    head = parse_html_head(page)
    assert head is not None and not head.xpath("//p[@id='last']")  # the body was not read
    assert (
        _says(head)
        == _says(parse_html(page))
        == (
            "https://www.n.example/news/budget-vote",
            ["https://www.n.example/feed.xml"],
            ["https://www.n.example/de/budget/"],
        )
    )


def test_a_canonical_link_or_base_in_the_body_is_still_found() -> None:
    for late in (b'<link rel="canonical" href="/late">', b'<base href="/other/">'):
        page = _page(b'<link rel="alternate" type="application/rss+xml" href="feed">', late)
        head = parse_html_head(page)
        assert head is not None and _says(head) == _says(parse_html(page))
        assert head.xpath("//p")  # read to the end
    assert canonical_link(parse_html_head(_page(b"", late)), URL) is None
    assert parse_html_head(b"") is None
