"""Feed parsing: RSS 0.91/1.0/2.0, Atom, JSON Feed, and hostile documents."""

from __future__ import annotations

import json
import time

import pytest

from crawler.discovery.feeds import FeedError, looks_like_feed, parse_feed
from crawler.discovery.xmlsafe import UnsafeDocument

BASE = "https://news.example/feeds/main.xml"

RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><language>en-us</language>
<item><title>Caf\xe9 opens</title><link>https://news.example/cafe.html</link>
<description>x</description></item>
</channel></rss>"""

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><title>Main</title><language>de</language>
<atom:link href="https://news.example/feeds/main.xml" rel="self"/>
<item><title>One</title><link>/2024/03/07/one</link>
  <pubDate>Thu, 07 Mar 2024 10:00:00 +0100</pubDate><dc:creator>Ada</dc:creator>
  <dc:creator><![CDATA[Lin]]></dc:creator></item>
<item><title>Two</title><guid>https://news.example/two</guid><author>bob@x (Bob)</author></item>
<item><title>Three</title><guid isPermaLink="false">tag:3</guid></item>
<item><title>Four</title><link>https://feeds.example/~r/x</link>
  <feedburner:origLink>https://news.example/four</feedburner:origLink></item>
</channel></rss>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/"><title>RDF</title><dc:language>fr</dc:language>
<items><rdf:Seq><rdf:li resource="https://news.example/a"/></rdf:Seq></items></channel>
<item rdf:about="https://news.example/a"><title>A</title><link>https://news.example/a</link>
  <dc:date>2024-03-07T08:00:00+01:00</dc:date><dc:creator>Cy</dc:creator></item>
<item rdf:about="https://news.example/b"><title>B</title></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://news.example/blog/">
<title>Atom</title><author><name>Desk</name></author>
<entry><title>E1</title><link rel="alternate" type="text/html" href="e1.html"/>
  <link rel="edit" href="https://news.example/edit/1"/>
  <id>urn:uuid:1</id><published>2024-03-07T10:00:00Z</published>
  <updated>2024-03-08T10:00:00Z</updated><author><name>Eve</name></author></entry>
<entry><title>E2</title><link href="https://news.example/e2"/><id>urn:2</id>
  <updated>2024-03-09T00:00:00Z</updated></entry>
<entry><title>E3</title><id>https://news.example/e3</id></entry>
<entry><title>no link</title><id>urn:uuid:4</id></entry>
</feed>"""

JSONFEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON",
        "home_page_url": "https://news.example/",
        "language": "en",
        "authors": [{"name": "Desk"}],
        "items": [
            {
                "id": "1",
                "url": "/j1",
                "title": "J1",
                "date_published": "2024-03-07T10:00:00+02:00",
                "date_modified": "2024-03-07T12:00:00+02:00",
                "authors": [{"name": "Jo"}, {"name": "Al"}],
            },
            {"id": "https://news.example/j2", "title": "J2", "author": {"name": "Old"}},
            {"id": "x3", "external_url": "https://other.example/j3"},
            {"id": "x4"},
        ],
    }
).encode()


def test_rss091_with_external_dtd_and_latin1():
    feed = parse_feed(RSS091, BASE)
    assert feed.kind == "rss"
    [entry] = feed.entries
    assert entry.url == "https://news.example/cafe.html"
    assert entry.title == "Café opens"
    assert entry.language == "en-us"


def test_rss20_links_guid_origlink_dates_authors():
    feed = parse_feed(RSS20, BASE)
    urls = [e.url for e in feed.entries]
    assert urls == [
        "https://news.example/2024/03/07/one",
        "https://news.example/two",
        "https://news.example/four",
    ]
    one, two, four = feed.entries
    assert one.published == "2024-03-07T09:00:00Z"
    assert one.author == "Ada, Lin"
    assert one.language == "de"
    assert two.author == "bob@x (Bob)"
    assert two.published is None
    assert four.title == "Four"
    assert one.discovery() == {
        "title": "One",
        "published": "2024-03-07T09:00:00Z",
        "author": "Ada, Lin",
        "language": "de",
    }


def test_rss10_rdf():
    feed = parse_feed(RDF, BASE)
    assert feed.kind == "rdf"
    assert [e.url for e in feed.entries] == ["https://news.example/a", "https://news.example/b"]
    a = feed.entries[0]
    assert (a.published, a.author, a.language) == ("2024-03-07T07:00:00Z", "Cy", "fr")


def test_atom_alternate_links_base_and_dates():
    feed = parse_feed(ATOM, BASE)
    assert feed.kind == "atom"
    assert [e.url for e in feed.entries] == [
        "https://news.example/blog/e1.html",
        "https://news.example/e2",
        "https://news.example/e3",
    ]
    e1, e2, _ = feed.entries
    assert e1.published == "2024-03-07T10:00:00Z"
    assert e1.modified == "2024-03-08T10:00:00Z"
    assert e1.author == "Eve"
    assert e1.language == "en"
    assert e2.published is None and e2.modified == "2024-03-09T00:00:00Z"
    assert e2.author == "Desk"  # feed-level author applies


def test_json_feed():
    feed = parse_feed(JSONFEED, "https://news.example/feed.json")
    assert feed.kind == "json"
    assert [e.url for e in feed.entries] == [
        "https://news.example/j1",
        "https://news.example/j2",
        "https://other.example/j3",
    ]
    j1, j2, j3 = feed.entries
    assert j1.published == "2024-03-07T08:00:00Z"
    assert j1.modified == "2024-03-07T10:00:00Z"
    assert j1.author == "Jo, Al"
    assert j2.author == "Old"
    assert j3.author == "Desk"
    assert j1.language == "en"


def test_sniff():
    assert looks_like_feed(RSS20) and looks_like_feed(ATOM) and looks_like_feed(RDF)
    assert looks_like_feed(JSONFEED)
    assert not looks_like_feed(b"<!doctype html><html><body>hi</body></html>")


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>not a feed</body></html>",
        b'{"version": "https://jsonfeed.org/version/1.1"}',
        b'{"version": "something else", "items": []}',
        b"",
    ],
)
def test_not_a_feed(body):
    with pytest.raises(FeedError):
        parse_feed(body, BASE)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://news.example/x</link></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title>
<link>https://news.example/x</link></item></channel></rss>"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE])
def test_entity_documents_are_refused(doc):
    with pytest.raises(UnsafeDocument):
        parse_feed(doc, BASE)


def test_oversize_feed_refused_before_parsing():
    body = b"<rss><channel>" + b" " * (50 * 1024 * 1024) + b"</channel></rss>"
    with pytest.raises(UnsafeDocument):
        parse_feed(body, BASE)


def test_entities_never_expanded_even_past_the_prolog_check(monkeypatch):
    # Defence in depth: with the prolog check disabled, the parser itself must not
    # expand entities (resolve_entities=False), so the title stays small.
    monkeypatch.setattr("crawler.discovery.xmlsafe.check_prolog", lambda data: None)
    started = time.monotonic()
    try:
        feed = parse_feed(BILLION_LAUGHS, BASE)
    except FeedError:
        return  # refusing is fine too
    assert time.monotonic() - started < 5
    for entry in feed.entries:
        assert "lollollol" not in (entry.title or "")
