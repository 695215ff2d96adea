"""The news spider's callbacks on hand-made responses: meta, decisions, stats."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.items import PageItem
from crawler.spiders.news import NewsSpider
from pipelines.state import StateExtension

SITE = "https://news.example"
NOW = datetime.now(timezone.utc)
RECENT = (NOW - timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S +0000")
OLD = (NOW - timedelta(days=400)).strftime("%a, %d %b %Y %H:%M:%S +0000")


def make_spider(tmp_path, **settings):
    crawler = get_crawler(
        NewsSpider,
        {
            "ARCHIVE_STORAGE_SPOOL": str(tmp_path / "spool"),
            "ARCHIVE_STORAGE_STATE": str(tmp_path / "store" / "state"),
            "ARCHIVE_STORAGE_WARC": str(tmp_path / "store" / "warc"),
            "ARCHIVE_STORAGE_JSON": str(tmp_path / "store" / "json"),
            "ARCHIVE_STORAGE_MANIFESTS": str(tmp_path / "store" / "manifests"),
            "ARCHIVE_SOURCES": [
                {
                    "name": "ex",
                    "start_urls": [f"{SITE}/"],
                    "deny": ["/login"],
                    "max_age_days": settings.pop("max_age_days", None),
                    "depth": settings.pop("depth", None),
                }
            ],
            "DEPTH_LIMIT": 2,
            "ROBOTSTXT_OBEY": True,
            **settings,
        },
    )
    crawler.stats.open_spider()
    spider = crawler._create_spider()
    # In a crawl StateExtension opens the index at spider_opened and the spider finds it.
    spider.state = StateExtension.from_crawler(crawler).index
    spider.setup()
    spider.state.open()
    return spider


@pytest.fixture
def spider(tmp_path):
    s = make_spider(tmp_path)
    yield s
    s.state.close()


def stat(spider, name):
    return spider.crawler.stats.get_value(f"newsvault/source/ex/{name}", 0)


def response(url, body, *, cls=TextResponse, meta=None, status=200, headers=None):
    meta = {"nv_source": "ex", "nv_kind": "page", "nv_discovery": {}, "depth": 0, **(meta or {})}
    request = Request(url, meta=meta)
    extra = {"encoding": "utf-8"} if issubclass(cls, TextResponse) else {}
    return cls(url, body=body, request=request, status=status, headers=headers, **extra)


def rss(*items):
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link><pubDate>{d}</pubDate>"
        f"<dc:creator>Ada</dc:creator></item>"
        for u, t, d in items
    )
    return (
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>x</title><language>en</language>{body}</channel></rss>"
    ).encode()


def test_start_requests_with_robots_obeyed(spider):
    requests = list(spider.start_requests_for_all())
    # RobotsTxtMiddleware fetches robots.txt; the spider reads it from that response.
    assert [r.url for r in requests] == [f"{SITE}/"]
    start = requests[0]
    assert start.meta["nv_kind"] == "page"
    assert start.meta["nv_discovery"] == {"via": "start"}
    assert start.meta["depth_reset"] is True


def test_robots_fetched_by_spider_when_not_obeyed(tmp_path):
    s = make_spider(tmp_path, ROBOTSTXT_OBEY=False)
    requests = list(s.start_requests_for_all())
    assert requests[0].url == f"{SITE}/robots.txt"
    assert requests[0].meta["nv_kind"] == "robots"
    robots = response(f"{SITE}/robots.txt", b"User-agent: *\nSitemap: /news.xml\n")
    [sitemap] = list(s.parse_robots(robots))
    assert sitemap.url == f"{SITE}/news.xml"
    assert sitemap.meta["nv_kind"] == "sitemap"
    assert sitemap.meta["nv_discovery"] == {"via": "robots", "from": f"{SITE}/robots.txt"}
    s.state.close()


def test_feed_entries_carry_discovery_metadata(spider):
    body = rss(
        (f"{SITE}/2024/01/02/a-story?utm_source=rss", "A story", RECENT),
        (f"{SITE}/2024/01/02/a-story", "dupe", RECENT),
        ("https://elsewhere.example/x", "offsite", RECENT),
        (f"{SITE}/login/x", "denied", RECENT),
    )
    requests = list(spider.parse_feed(response(f"{SITE}/feed", body)))
    assert [r.url for r in requests] == [f"{SITE}/2024/01/02/a-story"]
    meta = requests[0].meta
    assert meta["nv_kind"] == "article"
    assert meta["nv_discovery"]["via"] == "feed"
    assert meta["nv_discovery"]["from"] == f"{SITE}/feed"
    assert meta["nv_discovery"]["title"] == "A story"
    assert meta["nv_discovery"]["author"] == "Ada"
    assert meta["nv_discovery"]["language"] == "en"
    assert meta["nv_discovery"]["published"].startswith(
        (NOW - timedelta(days=1)).date().isoformat()
    )
    assert meta["depth_reset"] is True and meta["dont_redirect"] is True
    assert stat(spider, "discovered") == 1
    assert stat(spider, "fetched") == 1


def test_max_age_filters_before_fetching(tmp_path):
    s = make_spider(tmp_path, max_age_days=30)
    body = rss((f"{SITE}/new", "new", RECENT), (f"{SITE}/old", "old", OLD))
    requests = list(s.parse_feed(response(f"{SITE}/feed", body)))
    assert [r.url for r in requests] == [f"{SITE}/new"]
    assert requests[0].meta["nv_discovery"]["max_age_days"] == 30
    assert stat(s, "filtered_age") == 1
    # A date in the URL is enough when the feed gives none.
    page = response(
        f"{SITE}/",
        b'<html><body><a href="/2001/02/03/ancient">x</a></body></html>',
        cls=HtmlResponse,
    )
    assert not [r for r in s.parse_page(page) if isinstance(r, Request)]
    assert stat(s, "filtered_age") == 2
    s.state.close()


NEWS_SITEMAP = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/n1</loc><lastmod>2024-01-03</lastmod>
<news:news><news:publication><news:name>Ex</news:name><news:language>de</news:language>
</news:publication><news:publication_date>2024-01-02T10:00:00Z</news:publication_date>
<news:title>N1</news:title></news:news></url>
<url><loc>https://news.example/section/</loc></url>
</urlset>"""


def test_news_sitemap_and_gzip(spider):
    resp = response(f"{SITE}/news.xml.gz", gzip.compress(NEWS_SITEMAP), cls=Response)
    n1, section = list(spider.parse_sitemap(resp))
    assert n1.meta["nv_kind"] == "article"
    assert n1.meta["nv_discovery"] == {
        "via": "sitemap",
        "from": f"{SITE}/news.xml.gz",
        "lastmod": "2024-01-03T00:00:00Z",
        "published": "2024-01-02T10:00:00Z",
        "title": "N1",
        "language": "de",
        "publication": "Ex",
    }
    assert section.meta["nv_kind"] == "page"  # a plain entry: detected on arrival
    assert section.meta["nv_asserted_article"] is False


def test_sitemap_index_depth_is_bounded(spider):
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://news.example/s1.xml</loc></sitemap></sitemapindex>"
    )
    [child] = list(spider.parse_sitemap(response(f"{SITE}/index.xml", index)))
    assert child.meta["nv_kind"] == "sitemap" and child.meta["nv_sitemap_depth"] == 1
    deep = response(f"{SITE}/index.xml", index, meta={"nv_sitemap_depth": 3})
    assert list(spider.parse_sitemap(deep)) == []


SECTION = b"""<html><head>
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" type="application/rss+xml" href="https://partner.example/feed/">
<meta property="og:type" content="website"></head><body>
<a href="/2024/01/02/first-story">1</a><a href="/world/">World</a>
<a href="/login">Log in</a><a href="https://elsewhere.example/x">x</a>
</body></html>"""


def test_section_page_follows_all_feeds_and_links_in_scope(spider):
    out = list(spider.parse_page(response(f"{SITE}/", SECTION, cls=HtmlResponse)))
    assert not [o for o in out if isinstance(o, PageItem)]
    feeds = [r.url for r in out if r.meta["nv_kind"] == "feed"]
    assert feeds == [f"{SITE}/feed.xml", f"{SITE}/atom.xml", f"{SITE}/feed.json"]
    links = [r for r in out if r.meta["nv_kind"] in ("article", "page")]
    assert [(r.url, r.meta["nv_kind"]) for r in links] == [
        (f"{SITE}/2024/01/02/first-story", "article"),
        (f"{SITE}/world/", "page"),
    ]
    assert links[0].meta["nv_discovery"] == {"via": "section", "from": f"{SITE}/"}
    assert "depth_reset" not in links[0].meta  # section hops count towards DEPTH_LIMIT


def test_depth_limit_stops_link_following(spider, tmp_path):
    deep = response(f"{SITE}/", SECTION, cls=HtmlResponse, meta={"depth": 2})
    out = list(spider.parse_page(deep))
    assert {r.meta["nv_kind"] for r in out} == {"feed"}
    # A source's own depth: 0 means its start pages' links are not followed at all.
    shallow = make_spider(tmp_path / "shallow", depth=0)
    out = list(shallow.parse_page(response(f"{SITE}/", SECTION, cls=HtmlResponse)))
    assert {r.meta["nv_kind"] for r in out} == {"feed"}
    shallow.state.close()


ARTICLE = b"""<html><head><meta property="og:type" content="article">
<link rel="canonical" href="https://news.example/story?utm_source=x"></head>
<body><p>Text</p></body></html>"""


def test_article_becomes_one_item_per_canonical_url(spider):
    meta = {
        "nv_discovery": {"via": "feed", "published": "2024-01-02T00:00:00Z"},
        "nv_warc": {"record_id": "<urn:uuid:1>"},
    }
    first = response(
        f"{SITE}/story",
        ARTICLE,
        cls=HtmlResponse,
        meta=meta,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    [item] = [o for o in spider.parse_page(first) if isinstance(o, PageItem)]
    assert item.url == f"{SITE}/story"
    assert item.request_url == f"{SITE}/story"
    assert item.status == 200 and item.body == ARTICLE and item.encoding == "utf-8"
    assert item.content_type == "text/html; charset=utf-8"
    assert item.source == "ex"
    assert item.warc == {"record_id": "<urn:uuid:1>"}
    assert item.discovery["canonical"] == f"{SITE}/story"
    assert item.discovery["published"] == "2024-01-02T00:00:00Z"
    assert item.fetched_at.endswith("Z")
    second = response(f"{SITE}/print/story", ARTICLE, cls=HtmlResponse)
    assert not [o for o in spider.parse_page(second) if isinstance(o, PageItem)]
    assert stat(spider, "articles") == 1 and stat(spider, "duplicates") == 1


def test_known_articles_are_skipped_unless_due_for_revisit(tmp_path):
    s = make_spider(tmp_path)
    published = (NOW - timedelta(days=2)).isoformat()
    s.state.mark_archived(f"{SITE}/known", f"{SITE}/known", "sha1:X", published, "t")
    s.state.mark_alias(f"{SITE}/old-address", f"{SITE}/known")
    body = rss(
        (f"{SITE}/known", "k", RECENT),
        (f"{SITE}/old-address", "k", RECENT),
        (f"{SITE}/fresh", "f", RECENT),
    )
    assert [r.url for r in s.parse_feed(response(f"{SITE}/feed", body))] == [f"{SITE}/fresh"]
    assert stat(s, "skipped_known") == 2
    s.state.close()

    r = make_spider(tmp_path / "r", ARCHIVE_INCREMENTAL_REVISIT_DAYS=7)
    r.state.mark_archived(f"{SITE}/known", f"{SITE}/known", "sha1:X", published, "t")
    r.state.mark_archived(f"{SITE}/ancient", f"{SITE}/ancient", "sha1:Y", "2001-01-01", "t")
    body = rss((f"{SITE}/known", "k", RECENT), (f"{SITE}/ancient", "a", OLD))
    [again] = list(r.parse_feed(response(f"{SITE}/feed", body)))
    assert again.url == f"{SITE}/known" and again.meta["nv_discovery"]["revisit"] == "recent"
    assert stat(r, "revisited") == 1 and stat(r, "skipped_known") == 1
    r.state.close()


def test_known_article_updated_since_last_fetch_is_revisited(tmp_path):
    s = make_spider(tmp_path, ARCHIVE_INCREMENTAL_REVISIT_DAYS=7)
    old_pub = (NOW - timedelta(days=30)).isoformat()
    fetched = (NOW - timedelta(days=3)).isoformat()
    s.state.mark_archived(f"{SITE}/a", f"{SITE}/a", None, old_pub, fetched)
    s.state.mark_archived(f"{SITE}/b", f"{SITE}/b", None, old_pub, fetched)
    later = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = (NOW - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{SITE}/a</loc><lastmod>{later}</lastmod></url>"
        f"<url><loc>{SITE}/b</loc><lastmod>{earlier}</lastmod></url></urlset>"
    ).encode()
    [again] = list(s.parse_sitemap(response(f"{SITE}/sitemap.xml", body)))
    assert again.url == f"{SITE}/a" and again.meta["nv_discovery"]["revisit"] == "updated"
    assert stat(s, "revisited") == 1 and stat(s, "skipped_known") == 1
    s.state.close()


def test_redirects_are_followed_and_remembered_as_aliases(spider):
    moved = response(
        f"{SITE}/old",
        b"",
        status=301,
        headers={"Location": "/new?utm_medium=x"},
        meta={"nv_kind": "article", "nv_asserted_article": True},
    )
    [follow] = list(spider.parse_page(moved))
    assert follow.url == f"{SITE}/new"
    assert follow.meta["nv_redirect_urls"] == [f"{SITE}/old"]
    assert follow.meta["nv_asserted_article"] is True
    spider.state.mark_archived(f"{SITE}/new", f"{SITE}/new", None, None, "t")
    assert spider.state.is_known(f"{SITE}/old")
    offsite = response(f"{SITE}/x", b"", status=302, headers={"Location": "https://evil.example/"})
    assert list(spider.parse_page(offsite)) == []


def test_a_leaf_article_is_read_for_its_links_head_and_item_alike(spider, monkeypatch):
    import crawler.spiders.news as news

    parsed: list[str] = []
    for name in ("parse_html", "parse_html_head"):
        real = getattr(news, name)
        monkeypatch.setattr(
            news, name, lambda *a, real=real, name=name: parsed.append(name) or real(*a)
        )
    filler = b"".join(b"<p>paragraph %d</p>" % i for i in range(3000))
    page = (
        b'<html><head><link rel="alternate" hreflang="de" href="/de/story">'
        b'<link rel="alternate" type="application/rss+xml" href="/story/feed.xml">'
        b'</head><body><a href="/section/">s</a>' + filler + ARTICLE + b"</body></html>"
    )  # a canonical link late in the body (ARTICLE's head) is still found
    meta = {"nv_asserted_article": True}
    leaf = response(f"{SITE}/story", page, cls=HtmlResponse, meta={**meta, "depth": 2})
    out = list(spider.parse_page(leaf))
    [item] = [o for o in out if isinstance(o, PageItem)]
    assert item.discovery["canonical"] == f"{SITE}/story" and item.body == page
    assert sorted(r.url for r in out if isinstance(r, Request)) == [
        f"{SITE}/de/story",
        f"{SITE}/story/feed.xml",
    ]  # no section links at the depth limit
    inner = response(f"{SITE}/other", page, cls=HtmlResponse, meta={**meta, "depth": 1})
    assert f"{SITE}/section/" in [r.url for r in spider.parse_page(inner)]
    assert parsed == ["parse_html_head", "parse_html"]
    # a leaf article that may go on on another page is read whole for its page links
    paged = b'<html><head></head><body><p>Text</p><a href="?page=2">2</a>' + filler + b"</body>"
    leaf = response(f"{SITE}/paged", paged, cls=HtmlResponse, meta={**meta, "depth": 2})
    out = list(spider.parse_page(leaf))
    assert parsed[-1] == "parse_html"
    assert f"{SITE}/paged?page=2" in [r.url for r in out if isinstance(r, Request)]


def test_robots_denials_are_counted(spider):
    request = Request(f"{SITE}/private/x", meta={"nv_source": "ex"})
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = request
    spider.on_error(failure)
    other = Failure(IgnoreRequest("private network address refused"))
    other.request = request
    spider.on_error(other)
    assert stat(spider, "robots_denied") == 1


def test_ad_hoc_url_and_source_selection(tmp_path):
    crawler = get_crawler(NewsSpider, {"ARCHIVE_STORAGE_SPOOL": str(tmp_path / "spool")})
    crawler.stats.open_spider()
    s = crawler._create_spider(url="https://adhoc.example/section/?utm_source=x")
    s.setup()
    [plan] = s.cfg.sources
    assert plan.name == "adhoc.example"
    assert plan.start_urls == ("https://adhoc.example/section/",)
    assert plan.domains == ("adhoc.example",)
    bad = get_crawler(NewsSpider, {"ARCHIVE_SOURCES": [{"name": "a", "start_urls": [SITE]}]})
    with pytest.raises(ValueError, match="no source named 'b'"):
        bad._create_spider(source="b").setup()


def test_http_errors_count_as_fetched_not_denied(spider):
    from scrapy.spidermiddlewares.httperror import HttpError

    resp = response(f"{SITE}/gone", b"", status=404)
    failure = Failure(HttpError(resp, "Ignoring non-200 response"))
    failure.request = resp.request
    spider.on_error(failure)
    assert stat(spider, "fetched") == 1
    assert stat(spider, "robots_denied") == 0


def test_sitemaps_from_robots_middleware_fetch(spider, monkeypatch):
    scheduled = []

    class Engine:
        def crawl(self, request):
            scheduled.append(request)

    monkeypatch.setattr(spider.crawler, "_engine", Engine(), raising=False)
    monkeypatch.setattr(
        type(spider.crawler), "engine", property(lambda c: c._engine), raising=False
    )
    body = b"User-agent: *\nDisallow: /private/\nSitemap: https://news.example/index.xml\n"
    # RobotsTxtMiddleware's request: no nv_* meta, dont_obey_robotstxt set; it may redirect
    # from http to https.
    request = Request("http://www.news.example/robots.txt", meta={"dont_obey_robotstxt": True})
    resp = TextResponse(f"{SITE}/robots.txt", body=body, request=request, encoding="utf-8")
    spider._response_received(resp, request, spider)
    assert [r.url for r in scheduled] == [f"{SITE}/index.xml"]
    assert scheduled[0].meta["nv_source"] == "ex" and scheduled[0].meta["nv_kind"] == "sitemap"
    # Our own requests and other hosts are left alone.
    other = Request("https://elsewhere.example/robots.txt", meta={"dont_obey_robotstxt": True})
    spider._response_received(
        TextResponse(other.url, body=body, request=other, encoding="utf-8"), other, spider
    )
    page = Request(f"{SITE}/robots.txt", meta={"nv_source": "ex", "dont_obey_robotstxt": True})
    spider._response_received(
        TextResponse(page.url, body=body, request=page, encoding="utf-8"), page, spider
    )
    assert len(scheduled) == 1


INDEX_WITH_LASTMOD = """<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/2019.xml</loc><lastmod>{a}</lastmod></sitemap>
<sitemap><loc>https://news.example/2020.xml</loc><lastmod>{b}</lastmod></sitemap>
</sitemapindex>"""
CHILD = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example/2019/05/01/old-story</loc></url></urlset>"""


def _read_children(s, a, b, *, fail=None, reason="finished"):
    index = INDEX_WITH_LASTMOD.format(a=a, b=b).encode()
    children = list(s.parse_sitemap(response(f"{SITE}/index.xml", index)))
    for child in children:
        resp = response(child.url, CHILD, meta=child.meta)
        for article in s.parse_sitemap(resp):
            if child.url == fail:
                failure = Failure(ConnectionRefusedError("down"))
                failure.request = article
                s.on_error(failure)
    s.closed(reason)
    s.state.close()
    return [c.url for c in children]


def test_unchanged_child_sitemaps_are_not_read_again(tmp_path):
    first = make_spider(tmp_path)
    assert _read_children(first, "2019-12-31", "2020-12-31", fail=f"{SITE}/2020.xml") == [
        f"{SITE}/2019.xml",
        f"{SITE}/2020.xml",
    ]
    second = make_spider(tmp_path)  # same spool: the state of the first run
    index = INDEX_WITH_LASTMOD.format(a="2019-12-31", b="2021-01-01").encode()
    urls = [r.url for r in second.parse_sitemap(response(f"{SITE}/index.xml", index))]
    # 2019.xml: unchanged and read completely before. 2020.xml had a failed fetch.
    assert urls == [f"{SITE}/2020.xml"]
    assert stat(second, "sitemaps_unchanged") == 1
    second.state.close()


def test_child_sitemaps_are_remembered_only_after_a_finished_crawl(tmp_path):
    first = make_spider(tmp_path)
    _read_children(first, "2019-12-31", "2020-12-31", reason="closespider_pagecount")
    second = make_spider(tmp_path)
    index = INDEX_WITH_LASTMOD.format(a="2019-12-31", b="2020-12-31").encode()
    assert len(list(second.parse_sitemap(response(f"{SITE}/index.xml", index)))) == 2
    second.state.close()


def test_an_update_is_archived_without_revisit_days_even_after_a_dateless_link(tmp_path):
    s = make_spider(tmp_path)  # ARCHIVE_INCREMENTAL_REVISIT_DAYS: 0
    fetched = (NOW - timedelta(days=3)).isoformat()
    s.state.mark_archived(f"{SITE}/a", f"{SITE}/a", None, "2001-01-01", fetched)
    s.state.mark_archived(f"{SITE}/b", f"{SITE}/b", None, "2001-01-01", fetched)
    # the feed says nothing about changes: both skipped as known
    assert not list(s.parse_feed(response(f"{SITE}/feed", rss((f"{SITE}/a", "a", OLD)))))
    later = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = (NOW - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{SITE}/a</loc><lastmod>{later}</lastmod></url>"
        f"<url><loc>{SITE}/b</loc><lastmod>{earlier}</lastmod></url></urlset>"
    ).encode()
    [again] = list(s.parse_sitemap(response(f"{SITE}/sitemap.xml", body)))
    assert again.url == f"{SITE}/a" and again.meta["nv_discovery"]["revisit"] == "updated"
    assert stat(s, "revisited") == 1 and stat(s, "skipped_known") == 2
    s.state.close()


def test_the_link_as_found_where_the_fetched_url_differs(spider):
    page = (
        b'<html><body><a href="/2024/03/07/budget-vote-passes?utm_source=x&amp;fbclid=y">a</a>'
        b'<a href="/2024/03/08/rail-strike-ends#comments">b</a></body></html>'
    )
    requests = [
        r
        for r in spider.parse_page(response(f"{SITE}/", page, cls=HtmlResponse))
        if isinstance(r, Request)
    ]
    by_url = {r.url: r.meta["nv_discovery"] for r in requests}
    assert by_url[f"{SITE}/2024/03/07/budget-vote-passes"]["found_as"] == (
        f"{SITE}/2024/03/07/budget-vote-passes?utm_source=x&fbclid=y"
    )
    assert "found_as" not in by_url[f"{SITE}/2024/03/08/rail-strike-ends"]  # only a fragment


# -- multi-page articles ------------------------------------------------------

STORY = f"{SITE}/2024/01/02/long-story/"


def paged(number: int, last: int = 3, comments: str = "") -> bytes:
    """Page ``number`` of a story over ``last`` pages (rel=prev/next, a numbered pager)."""
    head = '<meta property="og:type" content="article">'
    if number > 1:
        prev = STORY if number == 2 else f"{STORY}{number - 1}/"
        head += f'<link rel="prev" href="{prev}">'
    if number < last:
        head += f'<link rel="next" href="{STORY}{number + 1}/">'
    pager = " ".join(
        f'<a href="{STORY if n == 1 else f"{STORY}{n}/"}">{n}</a>' for n in range(1, last + 1)
    )
    return (
        f"<html><head>{head}</head><body><article><p>Part {number}.</p>"
        f'<div class="page-links">{pager}</div></article>'
        '<a rel="next" href="/2024/01/03/next-story/">Next post</a>'
        f"{comments}</body></html>"
    ).encode()


def html_response(url, body, meta=None, status=200):
    return response(
        url,
        body,
        cls=HtmlResponse,
        meta=meta,
        status=status,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def follow(spider, request, body, status=200):
    """The spider's output for ``request`` answered with ``body``."""
    return list(request.callback(html_response(request.url, body, request.meta, status)))


def test_an_article_over_three_pages_is_fetched_page_by_page_into_one_item(spider):
    from crawler.distributed import serializer

    first = html_response(STORY, paged(1), {"nv_asserted_article": True})
    out = list(spider.parse_page(first))
    assert not [o for o in out if isinstance(o, PageItem)]
    [chain] = [o for o in out if isinstance(o, Request) and o.meta.get("nv_kind") == "continuation"]
    assert chain.url == f"{STORY}2/" and chain.dont_filter
    assert chain.meta["nv_discovery"] == {"via": "continuation", "from": STORY, "page": "text"}
    # the next article is a link like any other; the pages are not
    links = {o.url for o in out if isinstance(o, Request)} - {chain.url}
    assert f"{SITE}/2024/01/03/next-story/" in links
    assert not links & {f"{STORY}2/", f"{STORY}3/"}
    # the chain travels as JSON (distributed mode queues requests that way)
    loaded = serializer.loads(serializer.dumps(chain.to_dict(spider=spider)))
    assert loaded["meta"]["nv_chain"] == chain.meta["nv_chain"]
    [third] = follow(spider, chain, paged(2))
    assert third.url == f"{STORY}3/"
    [item] = follow(spider, third, paged(3))
    assert isinstance(item, PageItem)
    assert item.url == STORY and item.body == paged(1)
    assert [(p.url, p.kind, p.body) for p in item.parts] == [
        (f"{STORY}2/", "text", paged(2)),
        (f"{STORY}3/", "text", paged(3)),
    ]
    assert item.missing_pages == []
    assert stat(spider, "articles") == 1 and stat(spider, "multipage_articles") == 1
    assert stat(spider, "continuation_pages") == 2


def test_a_failed_further_page_is_reported_and_the_article_kept(spider, caplog):
    from scrapy.spidermiddlewares.httperror import HttpError

    out = list(spider.parse_page(html_response(STORY, paged(1), {"nv_asserted_article": True})))
    [chain] = [o for o in out if isinstance(o, Request) and o.meta.get("nv_kind") == "continuation"]
    gone = html_response(chain.url, b"", chain.meta, status=404)
    failure = Failure(HttpError(gone, "Ignoring non-200 response"))
    failure.request = chain
    with caplog.at_level("WARNING"):
        [third] = list(spider.on_continuation_error(failure))
    assert f"Could not fetch {STORY}2/" in caplog.text and "HTTP 404" in caplog.text
    [item] = follow(spider, third, paged(3))
    assert [p.url for p in item.parts] == [f"{STORY}3/"]
    assert item.missing_pages == [f"{STORY}2/"]
    assert stat(spider, "continuation_failed") == 1


def test_the_page_cap_and_cycles_end_the_chain(tmp_path):
    s = make_spider(tmp_path, ARCHIVE_MAX_ARTICLE_PAGES=2)
    out = list(s.parse_page(html_response(STORY, paged(1, last=5), {"nv_asserted_article": True})))
    [chain] = [o for o in out if isinstance(o, Request) and o.meta.get("nv_kind") == "continuation"]
    [item] = follow(s, chain, paged(2, last=5))
    assert [p.url for p in item.parts] == [f"{STORY}2/"]
    assert item.missing_pages == [f"{STORY}{n}/" for n in (3, 4, 5)]
    assert stat(s, "pages_capped") == 3
    s.state.close()
    # page 2 links back to page 1 and on to page 2 again: each page is fetched once
    s = make_spider(tmp_path / "again")
    out = list(s.parse_page(html_response(STORY, paged(1, last=2), {"nv_asserted_article": True})))
    [chain] = [o for o in out if isinstance(o, Request) and o.meta.get("nv_kind") == "continuation"]
    [item] = follow(s, chain, paged(2, last=2) + f'<a href="{STORY}2/">2</a>'.encode())
    assert isinstance(item, PageItem) and [p.url for p in item.parts] == [f"{STORY}2/"]
    s.state.close()


def test_one_page_articles_and_max_article_pages_1_make_no_chain(tmp_path):
    s = make_spider(tmp_path, ARCHIVE_MAX_ARTICLE_PAGES=1)
    out = list(s.parse_page(html_response(STORY, paged(1), {"nv_asserted_article": True})))
    [item] = [o for o in out if isinstance(o, PageItem)]
    assert item.parts == [] and item.missing_pages == []
    s.state.close()


def test_a_further_page_reached_alone_is_no_article(spider):
    out = list(
        spider.parse_page(html_response(f"{STORY}2/", paged(2), {"nv_asserted_article": True}))
    )
    assert not [o for o in out if isinstance(o, PageItem)]
    assert STORY in {o.url for o in out if isinstance(o, Request)}  # its first page instead
    assert stat(spider, "continuation_pages_alone") == 1


def test_comment_pages_follow_the_text_pages(spider):
    comments = (
        '<div id="comments"><ol class="commentlist"><li id="comment-1">Hi</li></ol>'
        f'<a href="{STORY}comment-page-2/#comments">Newer comments</a></div>'
    )
    out = list(
        spider.parse_page(
            html_response(STORY, paged(1, last=2, comments=comments), {"nv_asserted_article": True})
        )
    )
    [chain] = [o for o in out if isinstance(o, Request) and o.meta.get("nv_kind") == "continuation"]
    assert chain.url == f"{STORY}2/"
    [cpage] = follow(spider, chain, paged(2, last=2))
    assert cpage.url == f"{STORY}comment-page-2/" and cpage.meta["nv_page_kind"] == "comments"
    [item] = follow(spider, cpage, b"<html><body><p>comments</p></body></html>")
    assert [(p.url, p.kind) for p in item.parts] == [
        (f"{STORY}2/", "text"),
        (f"{STORY}comment-page-2/", "comments"),
    ]


def test_a_listings_next_page_is_no_continuation(spider):
    listing = (
        "<html><body><h1>World</h1>"
        + "".join(f'<h2><a href="/2024/01/0{n}/story-{n}/">Story {n}</a></h2>' for n in range(1, 6))
        + '<a rel="prev" href="/world/">Newer stories</a></body></html>'
    ).encode()
    out = list(spider.parse_page(html_response(f"{SITE}/world/page/2/", listing)))
    assert not [o for o in out if isinstance(o, PageItem)]
    assert f"{SITE}/2024/01/01/story-1/" in {o.url for o in out if isinstance(o, Request)}
    assert stat(spider, "continuation_pages_alone") == 0
