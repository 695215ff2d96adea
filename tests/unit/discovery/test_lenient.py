"""Feeds and sitemaps as lenient as feedparser and crawler-commons, on fixtures in lenient/."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.discovery.feeds import looks_like_feed, parse_feed
from crawler.discovery.sitemaps import parse_sitemap
from crawler.discovery.xmlsafe import MAX_DOCUMENT_BYTES, UnsafeDocument, parse_xml, repair

FIXTURES = Path(__file__).parent / "lenient"
BASE = "https://news.example/feed.xml"
N = "https://news.example"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def feed_urls(name: str) -> list[str]:
    return [e.url for e in parse_feed(fixture(name), BASE).entries]


def sitemap_urls(name: str) -> list[str]:
    return [e.loc for e in parse_sitemap(fixture(name), BASE).entries]


def test_cdf_channel_items_by_href() -> None:
    data = fixture("cdf.xml")
    assert looks_like_feed(data)
    feed = parse_feed(data, BASE)
    assert feed.kind == "cdf"
    assert [e.url for e in feed.entries] == [
        f"{N}/2024/cdf-one",
        f"{N}/2024/cdf-two",
        f"{N}/world/cdf-three",  # a nested channel's item
    ]
    assert feed.entries[1].title == "Two"
    assert feed.entries[1].modified == "2024-03-07T10:00:00Z"


def test_entities_and_bare_ampersands_in_query_strings() -> None:
    assert feed_urls("query-entities.rss") == [
        f"{N}/story?a=1&b=2&c",
        f"{N}/story?id=7&page=2&x",
        f"{N}/story?id=8&lang=en",
    ]


def test_ampersands_in_cdata_stay_literal() -> None:
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>'
        b"<item><title><![CDATA[Tom & Jerry]]></title>"
        b"<link><![CDATA[https://news.example/story?a=1&b=2]]></link></item>"
        b"<item><title>Q&A</title><link>https://news.example/qa?x=1&y=2</link></item>"
        b"</channel></rss>"
    )
    entries = parse_feed(feed, BASE).entries
    assert [(e.title, e.url) for e in entries] == [
        ("Tom & Jerry", f"{N}/story?a=1&b=2"),
        ("Q&A", f"{N}/qa?x=1&y=2"),
    ]


def test_podlove_chapter_links_beside_the_items() -> None:
    entries = parse_feed(fixture("podlove.rss"), BASE).entries
    assert [(e.url, e.is_item) for e in entries] == [
        (f"{N}/podcast/12", True),
        (f"{N}/2024/03/07/budget", False),
        (f"{N}/2024/03/06/rail-strike", False),
    ]
    assert entries[1].title == "The budget"


def test_atom_03_where_a_sitemap_was_expected() -> None:
    sitemap = parse_sitemap(fixture("atom03.xml"), BASE)
    assert sitemap.kind == "urlset"
    assert [(e.loc, e.lastmod) for e in sitemap.entries] == [
        (f"{N}/2024/03/07/atom03", "2024-03-07T11:00:00Z")
    ]
    # an RSS feed and a CDF channel too
    assert sitemap_urls("podlove.rss")[0] == f"{N}/podcast/12"
    assert len(sitemap_urls("cdf.xml")) == 3


def test_text_sitemap_with_a_byte_order_mark() -> None:
    assert fixture("bom-sitemap.txt").startswith(b"\xef\xbb\xbf")
    assert sitemap_urls("bom-sitemap.txt") == [f"{N}/2024/bom-first", f"{N}/2024/bom-second"]


def test_whitespace_before_the_xml_declaration() -> None:
    data = fixture("whitespace-before-declaration.xml")
    assert data.startswith(b"\n")
    assert sitemap_urls("whitespace-before-declaration.xml") == [f"{N}/2024/late-declaration"]
    feed = b"\r\n  " + fixture("query-entities.rss")
    assert len(parse_feed(feed, BASE).entries) == 3
    assert len(parse_feed(b"\xef\xbb\xbf\n" + fixture("atom03.xml"), BASE).entries) == 1


def test_truncated_sitemap_index_keeps_its_complete_entries() -> None:
    sitemap = parse_sitemap(fixture("truncated-index.xml"), BASE)
    assert sitemap.is_index
    assert [e.loc for e in sitemap.entries] == [f"{N}/sitemap-1.xml", f"{N}/sitemap-2.xml"]
    assert sitemap.entries[0].lastmod == "2024-03-07T00:00:00Z"


def test_bare_text_url_and_sitemap_entries() -> None:
    assert sitemap_urls("bare-entries.xml") == [
        f"{N}/2024/bare-one",
        f"{N}/2024/bare-two",
        f"{N}/2024/with-loc",
    ]
    index = parse_sitemap(fixture("bare-index.xml"), BASE)
    assert index.is_index and [e.loc for e in index.entries] == [f"{N}/sitemap-bare.xml"]


def test_loc_with_surrounding_whitespace_and_line_breaks() -> None:
    assert sitemap_urls("loc-whitespace.xml") == [
        f"{N}/2024/spaced",
        f"{N}/2024/broken-across-lines",
        f"{N}/2024/tabbed",
    ]


def test_fragment_in_a_text_sitemap() -> None:
    assert sitemap_urls("fragment-sitemap.txt") == [f"{N}/2024/plain", f"{N}/2024/anchored"]


# ------------------------------------------------------------------ still safe


def test_repair_expands_no_entity_and_still_refuses_declarations() -> None:
    # a bare & is escaped, an entity reference is left as it is (and never expanded)
    assert repair(b"<a>x&y &amp; &#38; &nbsp;</a>") == b"<a>x&amp;y &amp; &#38; &nbsp;</a>"
    laughs = (
        b'\n  <?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY lol "lol">]>'
        b"<urlset><url><loc>&lol;</loc></url></urlset>"
    )
    with pytest.raises(UnsafeDocument):
        parse_sitemap(laughs, BASE)
    with pytest.raises(UnsafeDocument):
        parse_feed(b"\n" + b" " * MAX_DOCUMENT_BYTES + b"<rss/>", BASE)
    external = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r>a&x;</r>'
    try:
        text = "".join(parse_xml(external).itertext())
    except ValueError:
        text = ""  # refused outright is as good
    assert "root:" not in text


def test_recovering_parser_on_a_broken_feed() -> None:
    broken = fixture("query-entities.rss").replace(b"</channel></rss>", b"<item><title>x")
    assert len(parse_feed(broken, BASE).entries) == 3
