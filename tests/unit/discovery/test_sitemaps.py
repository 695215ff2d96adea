"""Sitemap parsing: urlset, index, news fields, gzip, text, caps and hostile documents."""

from __future__ import annotations

import gzip

import pytest

from crawler.discovery import sitemaps
from crawler.discovery.sitemaps import (
    MAX_SITEMAP_URLS,
    SitemapError,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.discovery.xmlsafe import UnsafeDocument, gunzip_bounded

BASE = "https://news.example/sitemap.xml"

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example/2024/03/07/budget</loc>
    <lastmod>2024-03-07T12:00:00+00:00</lastmod>
    <news:news>
      <news:publication><news:name>The Example</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2024-03-07T10:30:00+01:00</news:publication_date>
      <news:title>Budget &amp; taxes</news:title>
    </news:news>
    <image:image><image:loc>https://news.example/img.jpg</image:loc></image:image>
  </url>
  <url><loc>https://news.example/plain</loc><lastmod>2024-03-01</lastmod></url>
  <url><lastmod>2024-03-01</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-news.xml</loc>
    <lastmod>2024-03-07</lastmod></sitemap>
  <sitemap><loc>/sitemap-2024.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_keeps_news_fields_and_lastmod():
    sm = parse_sitemap(NEWS, BASE)
    assert sm.kind == "urlset" and not sm.is_index
    assert [e.loc for e in sm.entries] == [
        "https://news.example/2024/03/07/budget",
        "https://news.example/plain",
    ]
    budget = sm.entries[0]
    assert budget.published == "2024-03-07T09:30:00Z"
    assert budget.title == "Budget & taxes"
    assert budget.language == "en"
    assert budget.publication == "The Example"
    assert budget.lastmod == "2024-03-07T12:00:00Z"
    assert sm.entries[1].published is None
    assert sm.entries[1].lastmod == "2024-03-01T00:00:00Z"
    assert set(budget.discovery()) == {"lastmod", "published", "title", "language", "publication"}


def test_sitemap_index_with_relative_loc():
    sm = parse_sitemap(INDEX, BASE)
    assert sm.is_index
    assert [e.loc for e in sm.entries] == [
        "https://news.example/sitemap-news.xml",
        "https://news.example/sitemap-2024.xml.gz",
    ]
    assert sm.entries[0].lastmod == "2024-03-07T00:00:00Z"


def test_gzip_sitemap():
    sm = parse_sitemap(gzip.compress(NEWS), "https://news.example/sitemap.xml.gz")
    assert len(sm.entries) == 2 and sm.entries[0].title == "Budget & taxes"


def test_text_sitemap():
    sm = parse_sitemap(b"https://news.example/a\n\nhttps://news.example/b\n", BASE)
    assert [e.loc for e in sm.entries] == ["https://news.example/a", "https://news.example/b"]


@pytest.mark.parametrize(
    "body", [b"<html><body>no</body></html>", b"hello world\n", b"", b"<rss><channel/></rss>"]
)
def test_not_a_sitemap(body):
    with pytest.raises(SitemapError):
        parse_sitemap(body, BASE)


def test_url_cap_truncates_at_50000():
    urls = b"".join(
        b"<url><loc>https://news.example/a%d</loc></url>" % i for i in range(MAX_SITEMAP_URLS + 5)
    )
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"
    sm = parse_sitemap(body, BASE)
    assert len(sm.entries) == MAX_SITEMAP_URLS
    assert sm.truncated
    assert sm.entries[-1].loc == f"https://news.example/a{MAX_SITEMAP_URLS - 1}"


def test_oversize_uncompressed_refused(monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 1000)
    body = b"<urlset>" + b" " * 2000 + b"</urlset>"
    with pytest.raises(UnsafeDocument):
        parse_sitemap(body, BASE)


def test_gzip_bomb_refused_with_bounded_output():
    bomb = gzip.compress(b"\0" * (60 * 1024 * 1024))  # ~60 KB compressed
    assert len(bomb) < 200_000
    with pytest.raises(UnsafeDocument):
        parse_sitemap(bomb, BASE)
    with pytest.raises(UnsafeDocument):
        gunzip_bounded(gzip.compress(b"x" * 5000), max_bytes=4096)
    assert gunzip_bounded(gzip.compress(b"x" * 4096), max_bytes=4096) == b"x" * 4096


def test_truncated_gzip_keeps_the_readable_part():
    data = gzip.compress(NEWS)
    assert gunzip_bounded(data[:-8]) == NEWS  # CRC/size trailer missing
    assert gunzip_bounded(gzip.compress(b"a") + gzip.compress(b"b")) == b"ab"


def test_billion_laughs_sitemap_refused():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<urlset><url><loc>https://news.example/&b;</loc></url></urlset>"""
    with pytest.raises(UnsafeDocument):
        parse_sitemap(body, BASE)


def test_robots_sitemap_lines():
    robots = b"""User-agent: *
Disallow: /private/
Sitemap: https://news.example/sitemap_index.xml
sitemap:/news-sitemap.xml
  SITEMAP :  https://news.example/sitemap_index.xml
# Sitemap: https://news.example/commented.xml
"""
    assert robots_sitemaps(robots, "https://news.example/robots.txt") == [
        "https://news.example/sitemap_index.xml",
        "https://news.example/news-sitemap.xml",
    ]


def test_hreflang_alternates_of_an_entry():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url><loc>https://news.example/a/</loc>
    <xhtml:link rel="alternate" hreflang="en" href="https://news.example/a/"/>
    <xhtml:link rel="alternate" hreflang="fr" href="https://news.example/fr/a/"/>
    <xhtml:link rel="alternate" hreflang="fr-CA" href="https://news.example/fr/a/"/>
  </url>
</urlset>"""
    [entry] = parse_sitemap(body, BASE).entries
    assert entry.alternates == ("https://news.example/fr/a/",)
