"""The bundled sample news site serves what its ground truth (expected.json) promises."""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.sample_site import EXPECTED_PATH, SampleSite, build_expected, load_expected

logger = logging.getLogger(__name__)

EXPECTED: dict[str, Any] = load_expected()
ARTICLES: list[dict[str, Any]] = EXPECTED["articles"]
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
ISO_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$")


def fetch(
    site: SampleSite, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request on a fresh connection; the body is returned as sent (not decompressed)."""
    conn = http.client.HTTPConnection(site.host, site.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def text_of(site: SampleSite, path: str) -> str:
    response, body = fetch(site, path)
    assert response.status == 200, path
    if response.headers["Content-Encoding"] == "gzip":
        body = gzip.decompress(body)
    charset = response.headers.get_content_charset() or "utf-8"
    return body.decode(charset)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def hrefs(html: str, base: str) -> set[str]:
    """Site-local links of a page, as paths with query."""
    out = set()
    for href in re.findall(r'href="([^"#]*)', html):
        url = urljoin(base + "/", unescape(href))
        if url.startswith(base):
            out.add(path_of(url))
    return out


def article(key: str) -> dict[str, Any]:
    return next(a for a in ARTICLES if a["key"] == key)


@pytest.fixture(scope="module")
def feeds(sample_site: SampleSite) -> dict[str, set[str]]:
    """Article paths listed by each feed and sitemap of the running site."""
    rss = ET.fromstring(text_of(sample_site, "/feed/"))
    atom = ET.fromstring(text_of(sample_site, "/atom.xml"))
    jsonfeed = json.loads(text_of(sample_site, "/feed.json"))
    news = ET.fromstring(text_of(sample_site, "/news-sitemap.xml"))
    sm1 = ET.fromstring(text_of(sample_site, "/sitemap-1.xml"))
    _, gz = fetch(sample_site, "/sitemap-2.xml.gz")
    sm2 = ET.fromstring(gzip.decompress(gz))
    return {
        "rss": {path_of(e.text or "") for e in rss.iterfind("channel/item/link")},
        "atom": {
            path_of(e.get("href", ""))
            for e in atom.iterfind("atom:entry/atom:link[@rel='alternate']", NS)
        },
        "jsonfeed": {path_of(item["url"]) for item in jsonfeed["items"]},
        "news": {path_of(e.text or "") for e in news.iterfind("sm:url/sm:loc", NS)},
        "sitemap-1": {path_of(e.text or "") for e in sm1.iterfind("sm:url/sm:loc", NS)},
        "sitemap-2": {path_of(e.text or "") for e in sm2.iterfind("sm:url/sm:loc", NS)},
    }


# --------------------------------------------------------------------------- ground truth


def test_expected_json_is_pinned_to_the_content() -> None:
    assert json.loads(EXPECTED_PATH.read_text(encoding="utf-8")) == json.loads(
        json.dumps(build_expected())
    ), "run: python -m tests.sample_site --write-expected"


def test_ground_truth_is_sane() -> None:
    assert len(ARTICLES) == 22  # 20, and the two multi-page articles
    assert {a["cms"] for a in ARTICLES} == {"wordpress", "drupal"}
    ids = [c["id"] for a in ARTICLES for c in a["comments"]]
    assert len(ids) == len(set(ids))
    for a in ARTICLES:
        known = {c["id"] for c in a["comments"]}
        assert all(c["parent_id"] in known | {None} for c in a["comments"])
        assert a["comment_count"] == len(a["comments"])
        assert a["discovery"]["routes"], a["key"]
        if a["date_in_page"]:
            assert ISO_WITH_ZONE.match(a["published"]), a["key"]
        if a["key"] != "india-taliban":
            assert 150 <= a["word_count"] <= 500, (a["key"], a["word_count"])
    statuses = {a["comments_status"] for a in ARTICLES}
    assert statuses == {"open", "closed", "none", "not_in_html"}
    seed = article("india-taliban")
    assert seed["cms"] == "wordpress" and seed["comments_status"] == "open"
    assert len(seed["comments"]) >= 3 and any(c["parent_id"] for c in seed["comments"])


def test_site_is_small() -> None:
    folder = Path(__file__).parent / "sample_site"
    assert sum(p.stat().st_size for p in folder.glob("*.py*")) < 1_000_000


# --------------------------------------------------------------------------- articles


@pytest.mark.parametrize("entry", ARTICLES, ids=[a["key"] for a in ARTICLES])
def test_every_article_is_served_with_its_truth(
    sample_site: SampleSite, entry: dict[str, Any]
) -> None:
    html = unescape(text_of(sample_site, entry["path"]))
    assert html.count(entry["title"]) >= 3  # <title>, og:title, breadcrumb, h1
    assert f'<link rel="canonical" href="{sample_site.url}{entry["canonical_path"]}">' in html
    # a multi-page article's text and comments are spread over its pages
    for path in [*entry["pages"][1:], *entry["comment_pages"]]:
        html += unescape(text_of(sample_site, path))
    for para in entry["paragraphs"]:
        assert para in html
    for name in entry["authors"]:
        assert name in html
    if entry["date_in_page"]:
        assert entry["published"] in html
    for comment in entry["comments"]:
        assert f'id="comment-{comment["id"]}"' in html
        assert comment["text"] in html and comment["published"] in html
    status = entry["comments_status"]
    has_form = "Your email address will not be published" in html
    assert has_form == (status == "open")
    assert ("Comments are closed." in html) == (status == "closed")
    assert ('id="disqus_thread"' in html) == (status == "not_in_html")
    if status in ("none", "not_in_html"):
        assert 'id="comment-' not in html
        assert "commentlist" not in html and 'class="comments"' not in html


def test_wordpress_comments_are_threaded(sample_site: SampleSite) -> None:
    entry = article("india-taliban")
    html = text_of(sample_site, entry["path"])
    assert '<ol class="commentlist">' in html and '<ul class="children">' in html
    assert 'class="comment-author vcard"' in html and "#comment-101" in html
    assert 'id="respond"' in html and "Leave a Comment" in html
    assert "Required fields are marked" in html
    # 102 is nested inside 101's <li>, before 101's <li> closes.
    start = html.index('id="comment-101"')
    assert start < html.index('id="comment-102"') < html.index('id="comment-104"')
    nested = html[start : html.index('id="comment-104"')]
    assert nested.count('<ul class="children">') == 2


def test_drupal_comment_flavours(sample_site: SampleSite) -> None:
    html = text_of(sample_site, article("chile-lithium")["path"])
    assert '<section class="comments"' in html and '<div class="indented">' in html
    assert 'class="comment js-comment' in html

    micro = text_of(sample_site, article("kenya-rail")["path"])
    assert micro.count('itemtype="https://schema.org/Comment"') == 3
    assert 'itemprop="dateCreated"' in micro

    entry = article("gene-therapy-hearing")
    page = text_of(sample_site, entry["path"])
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle" and data["datePublished"] == entry["published"]
    assert data["keywords"] and data["articleSection"] == "Science"
    assert [c["author"]["name"] for c in data["comment"]] == [
        c["author"] for c in entry["comments"]
    ]
    reply = next(c for c in data["comment"] if "parentItem" in c)
    assert reply["parentItem"]["@id"].endswith("#comment-521")


# --------------------------------------------------------------------------- HTTP oddities


def test_home_sets_two_cookies_and_links_all_feeds(sample_site: SampleSite) -> None:
    response, body = fetch(sample_site, "/")
    assert len(response.headers.get_all("Set-Cookie") or []) == 2
    html = body.decode()
    for kind in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
        assert f'<link rel="alternate" type="{kind}"' in html
    links = hrefs(html, sample_site.url)
    assert "/world/" in links and "/science/" in links
    assert "/private/staff-notes/" in links
    assert EXPECTED["oddities"]["duplicate"]["tracking_link"] in links
    assert EXPECTED["oddities"]["not_found"][0]["path"] in links


def test_gzip_when_accepted(sample_site: SampleSite) -> None:
    path = article("chile-lithium")["path"]
    response, raw = fetch(sample_site, path, {"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert raw[:2] == b"\x1f\x8b" and int(response.headers["Content-Length"]) == len(raw)
    assert b"Chile approves lithium" in gzip.decompress(raw)
    plain_response, plain = fetch(sample_site, path)
    assert plain_response.headers["Content-Encoding"] is None
    assert plain == gzip.decompress(raw)


def test_gzip_always(sample_site: SampleSite) -> None:
    path = EXPECTED["oddities"]["gzip_always"]
    response, raw = fetch(sample_site, path, {"Accept-Encoding": "identity"})
    assert response.headers["Content-Encoding"] == "gzip" and raw[:2] == b"\x1f\x8b"
    assert article("honeybees")["title"] in gzip.decompress(raw).decode()


def test_chunked_transfer_on_the_wire(sample_site: SampleSite) -> None:
    path = EXPECTED["oddities"]["chunked"]
    with socket.create_connection((sample_site.host, sample_site.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked" in head and b"Content-Length" not in head
    assert re.match(rb"^[0-9A-F]+\r\n<!DOCTYPE html>", payload)
    assert payload.endswith(b"\r\n0\r\n\r\n") and payload.count(b"\r\n800\r\n") >= 1
    _, body = fetch(sample_site, path)
    assert article("southern-ocean")["title"] in body.decode()


def test_cp1252_article(sample_site: SampleSite) -> None:
    path = EXPECTED["oddities"]["cp1252"]
    response, raw = fetch(sample_site, path)
    assert response.headers["Content-Type"] == "text/html; charset=windows-1252"
    assert b'content="text/html; charset=windows-1252"' in raw
    for char in "€é“”’":
        assert char.encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Café des Célestins" in raw.decode("cp1252")


def test_redirect_from_old_url(sample_site: SampleSite) -> None:
    redirect = EXPECTED["oddities"]["redirects"][0]
    response, _ = fetch(sample_site, redirect["from"])
    assert response.status == 301
    assert response.headers["Location"] == sample_site.url + redirect["to"]
    assert redirect["linked_from"]
    for page in redirect["linked_from"]:
        assert redirect["from"] in hrefs(text_of(sample_site, page), sample_site.url)


def test_not_found_is_linked(sample_site: SampleSite) -> None:
    missing = EXPECTED["oddities"]["not_found"][0]
    response, body = fetch(sample_site, missing["path"])
    assert response.status == 404 and b"can\xe2\x80\x99t be found" in body
    for page in missing["linked_from"]:
        assert missing["path"] in hrefs(text_of(sample_site, page), sample_site.url)


def test_query_string_article(sample_site: SampleSite) -> None:
    path = EXPECTED["oddities"]["query_string"]
    assert path == "/article.php?id=42&lang=en"
    assert article("iceland-bananas")["title"] in text_of(sample_site, path)
    assert fetch(sample_site, "/article.php?id=43&lang=en")[0].status == 404
    assert fetch(sample_site, "/article.php")[0].status == 404


def test_same_article_under_two_urls(sample_site: SampleSite) -> None:
    dup = EXPECTED["oddities"]["duplicate"]
    canonical = f'<link rel="canonical" href="{sample_site.url}{dup["canonical"]}">'
    for path in [dup["canonical"], *dup["alternates"], dup["tracking_link"]]:
        assert canonical in text_of(sample_site, path)
    assert dup["alternates"][0] in hrefs(text_of(sample_site, dup["canonical"]), sample_site.url)


def test_date_only_in_url(sample_site: SampleSite) -> None:
    path = EXPECTED["oddities"]["date_only_in_url"]
    html = text_of(sample_site, path)
    assert "2026/11/12" in path
    assert "datetime=" not in html and "published_time" not in html and "2026-11-12" not in html
    assert "Last-Modified" not in fetch(sample_site, path)[0].headers


def test_keep_alive_head_and_conditional_get(sample_site: SampleSite) -> None:
    conn = http.client.HTTPConnection(sample_site.host, sample_site.port, timeout=10)
    try:
        paths = ["/", EXPECTED["oddities"]["chunked"], EXPECTED["oddities"]["gzip_always"], "/nope"]
        statuses = []
        for path in paths:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        assert statuses == [200, 200, 200, 404]
        conn.request("HEAD", "/feed/")
        head = conn.getresponse()
        assert head.status == 200 and head.read() == b"" and int(head.headers["Content-Length"]) > 0
        conn.request("GET", "/feed/", headers={"If-None-Match": head.headers["ETag"]})
        cached = conn.getresponse()
        assert cached.status == 304 and cached.read() == b""
    finally:
        conn.close()


def test_request_log(sample_site: SampleSite) -> None:
    fetch(sample_site, "/about/?probe=1", {"User-Agent": "probe-agent"})
    method, path, headers = sample_site.requests[-1]
    assert (method, path, headers["User-Agent"]) == ("GET", "/about/?probe=1", "probe-agent")
    assert "/about/?probe=1" in sample_site.fetched_paths()


# --------------------------------------------------------------------------- discovery


def test_robots_txt(sample_site: SampleSite) -> None:
    lines = text_of(sample_site, "/robots.txt").splitlines()
    assert f"Sitemap: {sample_site.url}/sitemap_index.xml" in lines
    assert "Disallow: /private/" in lines


def test_feeds_parse_with_required_fields(sample_site: SampleSite) -> None:
    rss = ET.fromstring(text_of(sample_site, "/feed/"))
    for item in rss.iterfind("channel/item"):
        assert item.findtext("title") and item.findtext("pubDate")
        assert item.find("dc:creator", NS) is not None
    atom = ET.fromstring(text_of(sample_site, "/atom.xml"))
    for entry in atom.iterfind("atom:entry", NS):
        for name in ("published", "updated"):
            assert ISO_WITH_ZONE.match(entry.findtext(f"atom:{name}", "", NS))
        assert entry.findtext("atom:author/atom:name", "", NS)
    feed = json.loads(text_of(sample_site, "/feed.json"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert all(item["date_published"] and item["authors"] for item in feed["items"])


def test_feeds_only_cover_everything_together(feeds: dict[str, set[str]]) -> None:
    union = feeds["rss"] | feeds["atom"] | feeds["jsonfeed"]
    assert sorted(union) == EXPECTED["feed_union"]
    for name in ("rss", "atom", "jsonfeed"):
        assert feeds[name] < union, name


def test_sitemaps(sample_site: SampleSite) -> None:
    index = ET.fromstring(text_of(sample_site, "/sitemap_index.xml"))
    locs = [e.text for e in index.iterfind("sm:sitemap/sm:loc", NS)]
    assert sorted(path_of(loc or "") for loc in locs) == sorted(
        EXPECTED["pages"]["sitemaps"].values()
    )
    response, raw = fetch(sample_site, "/sitemap-2.xml.gz", {"Accept-Encoding": "gzip"})
    assert raw[:2] == b"\x1f\x8b" and response.headers["Content-Encoding"] is None
    assert ET.fromstring(gzip.decompress(raw)).tag == f"{{{NS['sm']}}}urlset"
    news = ET.fromstring(text_of(sample_site, "/news-sitemap.xml"))
    urls = news.findall("sm:url", NS)
    assert urls
    for url in urls:
        assert url.findtext("sm:lastmod", "", NS)
        assert url.findtext("news:news/news:publication/news:name", "", NS) == "The Meridian Post"
        assert url.findtext("news:news/news:publication/news:language", "", NS) == "en"
        assert ISO_WITH_ZONE.match(url.findtext("news:news/news:publication_date", "", NS))
        assert url.findtext("news:news/news:title", "", NS)


def test_discovery_routes_match_ground_truth(
    sample_site: SampleSite, feeds: dict[str, set[str]]
) -> None:
    base = sample_site.url
    home = hrefs(text_of(sample_site, "/"), base)
    section_links = {
        page: hrefs(text_of(sample_site, page), base)
        for pages in EXPECTED["pages"]["sections"].values()
        for page in pages
    }
    for entry in ARTICLES:
        d = entry["discovery"]
        path = entry["path"]
        assert [f for f in ("rss", "atom", "jsonfeed") if path in feeds[f]] == d["feeds"], path
        listed = [s for s in ("news", "sitemap-1", "sitemap-2") if path in feeds[s]]
        assert listed == d["sitemaps"], path
        pages = [p for p, links in section_links.items() if d["section_link"] in links]
        assert pages == d["section_pages"], path
        assert any(link.split("?")[0] == path for link in home) == d["home"], path


def test_only_via_routes(feeds: dict[str, set[str]]) -> None:
    only = EXPECTED["only_via"]
    by_path = {a["path"]: a["discovery"] for a in ARTICLES}
    assert by_path[only["news_sitemap"]]["routes"] == ["sitemap"]
    assert by_path[only["news_sitemap"]]["sitemaps"] == ["news"]
    assert by_path[only["sitemap_gz"]]["sitemaps"] == ["sitemap-2"]
    assert by_path[only["sitemap_gz"]]["routes"] == ["sitemap"]
    assert by_path[only["atom"]]["routes"] == ["feed"] and by_path[only["atom"]]["feeds"] == [
        "atom"
    ]
    assert by_path[only["section_page_2"]]["routes"] == ["section"]
    assert by_path[only["section_page_2"]]["section_pages"] == ["/world/page/2/"]


# --------------------------------------------------------------------------- publish_extra and CLI


@pytest.fixture
def own_site() -> Iterator[SampleSite]:
    """A private instance, so publishing does not change the shared session site."""
    with SampleSite() as site:
        yield site


def test_publish_extra_changes_feeds_and_listings(own_site: SampleSite) -> None:
    before = {
        p: text_of(own_site, p) for p in ("/feed/", "/atom.xml", "/feed.json", "/news-sitemap.xml")
    }
    entry = own_site.publish_extra()
    second = own_site.publish_extra()
    assert entry["path"] != second["path"]
    path = str(entry["path"])
    url = own_site.url + path
    for page, old in before.items():
        new = text_of(own_site, page)
        assert url not in old and url in new, page
    assert path in hrefs(text_of(own_site, "/"), own_site.url)
    assert path in hrefs(text_of(own_site, "/science/"), own_site.url)
    assert path in text_of(own_site, "/sitemap-1.xml")
    assert str(entry["title"]) in text_of(own_site, path)
    assert ISO_WITH_ZONE.match(str(entry["published"]))
    assert len(own_site.expected()["articles"]) == len(ARTICLES) + 2  # type: ignore[arg-type]
    # The section-page-2-only article stays where the ground truth says.
    assert EXPECTED["only_via"]["section_page_2"] in text_of(own_site, "/world/page/2/")


def test_cli_serves_and_stops_on_sigterm() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sample_site", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.match(r"^http://127\.0\.0\.1:\d+$", url)
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        conn.request("GET", "/robots.txt")
        assert f"Sitemap: {url}/sitemap_index.xml" in conn.getresponse().read().decode()
        conn.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
