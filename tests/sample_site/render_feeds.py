"""Feeds (RSS 2.0, Atom, JSON Feed), sitemaps and robots.txt of the sample site."""

from __future__ import annotations

import gzip
import json
import logging
from email.utils import format_datetime
from xml.sax.saxutils import escape

from .catalog import (
    FEEDS,
    LANGUAGE,
    SECTIONS,
    SITE_NAME,
    SITEMAP_INDEX,
    SITEMAPS,
    newest_first,
    parse_date,
    section_page_path,
    section_pages,
)
from .model import ArticleSpec

logger = logging.getLogger(__name__)


def _in_feed(articles: list[ArticleSpec], feed: str) -> list[ArticleSpec]:
    return newest_first([a for a in articles if feed in a.feeds])


def _latest(articles: list[ArticleSpec]) -> str:
    dates = [parse_date(a.modified or a.published) for a in articles]
    return max(dates).isoformat() if dates else "2026-11-01T00:00:00+00:00"


def rss(base: str, articles: list[ArticleSpec]) -> str:
    items = []
    listed = _in_feed(articles, "rss")
    for a in listed:
        url = base + a.path
        creators = "".join(f"<dc:creator><![CDATA[{name}]]></dc:creator>" for name in a.authors)
        items.append(
            f"""<item>
<title>{escape(a.title)}</title>
<link>{escape(url)}</link>
<comments>{escape(url)}#comments</comments>
<pubDate>{format_datetime(parse_date(a.published))}</pubDate>
{creators}
<category><![CDATA[{SECTIONS[a.section]}]]></category>
<guid isPermaLink="true">{escape(url)}</guid>
<description><![CDATA[{a.summary}]]></description>
<slash:comments>{len(a.comments)}</slash:comments>
</item>"""
        )
    build = format_datetime(parse_date(_latest(listed)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
<title>{SITE_NAME}</title>
<atom:link href="{base}{FEEDS["rss"]}" rel="self" type="application/rss+xml"/>
<link>{base}/</link>
<description>Independent news since 1998</description>
<lastBuildDate>{build}</lastBuildDate>
<language>en-US</language>
<generator>https://wordpress.org/?v=6.7</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def atom(base: str, articles: list[ArticleSpec]) -> str:
    listed = _in_feed(articles, "atom")
    entries = []
    for a in listed:
        url = base + a.path
        authors = "".join(f"<author><name>{escape(n)}</name></author>" for n in a.authors)
        entries.append(
            f"""<entry>
<title type="text">{escape(a.title)}</title>
<link rel="alternate" type="text/html" href="{escape(url)}"/>
<id>tag:meridianpost.example,2026:{a.key}</id>
<published>{a.published}</published>
<updated>{a.modified or a.published}</updated>
{authors}
<category term="{a.section}" label="{SECTIONS[a.section]}"/>
<summary type="text">{escape(a.summary)}</summary>
</entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>{SITE_NAME}</title>
<subtitle>Independent news since 1998</subtitle>
<link rel="self" type="application/atom+xml" href="{base}{FEEDS["atom"]}"/>
<link rel="alternate" type="text/html" href="{base}/"/>
<id>tag:meridianpost.example,2026:feed</id>
<updated>{_latest(listed)}</updated>
{chr(10).join(entries)}
</feed>
"""


def json_feed(base: str, articles: list[ArticleSpec]) -> str:
    items = [
        {
            "id": base + a.path,
            "url": base + a.path,
            "title": a.title,
            "summary": a.summary,
            "content_text": a.summary,
            "date_published": a.published,
            "date_modified": a.modified or a.published,
            "authors": [{"name": n} for n in a.authors],
            "tags": [SECTIONS[a.section], *a.keywords],
        }
        for a in _in_feed(articles, "jsonfeed")
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": SITE_NAME,
        "home_page_url": base + "/",
        "feed_url": base + FEEDS["jsonfeed"],
        "language": "en",
        "items": items,
    }
    return json.dumps(feed, indent=2, ensure_ascii=False) + "\n"


def _url(loc: str, lastmod: str | None, extra: str = "") -> str:
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{mod}{extra}</url>"


def news_sitemap(base: str, articles: list[ArticleSpec]) -> str:
    urls = []
    for a in newest_first([a for a in articles if a.news_sitemap]):
        news = f"""<news:news><news:publication><news:name>{SITE_NAME}</news:name><news:language>{LANGUAGE}</news:language></news:publication><news:publication_date>{a.published}</news:publication_date><news:title>{escape(a.title)}</news:title></news:news>"""
        urls.append(_url(base + a.path, a.modified or a.published, news))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{chr(10).join(urls)}
</urlset>
"""


def sitemap(base: str, articles: list[ArticleSpec], name: str) -> str:
    urls = []
    if name == "sitemap-1":
        urls.append(_url(base + "/", _latest(articles), "<changefreq>hourly</changefreq>"))
        for section in SECTIONS:
            for number in range(1, len(section_pages(section, articles)) + 1):
                urls.append(
                    _url(
                        base + section_page_path(section, number),
                        None,
                        "<changefreq>hourly</changefreq>",
                    )
                )
    for a in newest_first([a for a in articles if a.sitemap == name]):
        lastmod = (a.modified or a.published) if a.sitemap_lastmod else None
        urls.append(_url(base + a.path, lastmod))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{chr(10).join(urls)}
</urlset>
"""


def sitemap_gz(base: str, articles: list[ArticleSpec]) -> bytes:
    # mtime=0 keeps the bytes stable between runs.
    return gzip.compress(sitemap(base, articles, "sitemap-2").encode("utf-8"), mtime=0)


def sitemap_index(base: str, articles: list[ArticleSpec]) -> str:
    entries = []
    for name, path in SITEMAPS.items():
        if name == "news":
            members = [a for a in articles if a.news_sitemap]
        else:
            members = [a for a in articles if a.sitemap == name]
        entries.append(
            f"<sitemap><loc>{base}{path}</loc><lastmod>{_latest(members)}</lastmod></sitemap>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{chr(10).join(entries)}
</sitemapindex>
"""


def robots(base: str) -> str:
    return f"""# robots.txt for {SITE_NAME}
User-agent: *
Disallow: /private/
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: {base}{SITEMAP_INDEX}
"""
