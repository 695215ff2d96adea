"""Discovery: feeds, (news) sitemaps, links, URL canonicalisation and article detection.

Pure logic with no Scrapy import; the `news` spider is the thin glue around it.
"""

from __future__ import annotations

from crawler.discovery.articles import Verdict, classify_page, url_looks_like_article
from crawler.discovery.feeds import Feed, FeedEntry, FeedError, looks_like_feed, parse_feed
from crawler.discovery.links import (
    FeedLink,
    LinkRules,
    advertised_feeds,
    canonical_link,
    extract_links,
    parse_html,
    parse_html_head,
)
from crawler.discovery.sitemaps import (
    Sitemap,
    SitemapEntry,
    SitemapError,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.discovery.urls import canonicalize_url, host_of, in_domains
from crawler.discovery.xmlsafe import UnsafeDocument

__all__ = [
    "Feed",
    "FeedEntry",
    "FeedError",
    "FeedLink",
    "LinkRules",
    "Sitemap",
    "SitemapEntry",
    "SitemapError",
    "UnsafeDocument",
    "Verdict",
    "advertised_feeds",
    "canonical_link",
    "canonicalize_url",
    "classify_page",
    "extract_links",
    "host_of",
    "in_domains",
    "looks_like_feed",
    "parse_feed",
    "parse_html",
    "parse_html_head",
    "parse_sitemap",
    "robots_sitemaps",
    "url_looks_like_article",
]
