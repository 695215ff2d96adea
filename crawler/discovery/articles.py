"""Cheap article detection: is this URL or page one news article, or an index to crawl?"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.discovery.dates import date_from_url
from crawler.discovery.links import meta_content

logger = logging.getLogger(__name__)

#: schema.org types that mean "this page is one article".
ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "SatiricalArticle",
        "ScholarlyArticle",
        "TechArticle",
        "Report",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
    )
)
#: og:type values that mean a listing, profile or home page rather than an article.
NON_ARTICLE_OG = frozenset({"website", "profile", "blog", "book", "music.song", "video.other"})
#: schema.org page types of listings. (``WebSite`` is not one: Yoast and others put it in
#: the ``@graph`` of every page, articles included.)
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})

#: Path segments that mark article URLs on common CMSes.
_ARTICLE_PATH = re.compile(
    r"/(?:article|articles|story|stories|post|posts|a|p|id)/[^/]+"
    # /news/ and /blog/ also name sections: only with an id or a slug of 3+ words.
    r"|/(?:news|blog)/(?:[^/]*\d{5,}|[a-z0-9]+(?:-[a-z0-9]+){2,})"
    r"|[-_/]\d{5,}(?:\.html?)?$"  # numeric article id at the end
    r"|/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?|/)?$",  # long slug of 4+ words
    re.IGNORECASE,
)
#: Path segments of listings, never articles themselves.
_LISTING_PATH = re.compile(
    r"/(?:tag|tags|topic|topics|category|categories|section|sections|author|authors|search"
    r"|page|archive|archives|feed|rss|index)(?:/|$|\.)",
    re.IGNORECASE,
)

#: Listings whatever their metadata says: tag, topic, category, author, section and search
#: pages (optionally under a language prefix, optionally paginated).
_LISTING_PAGE = re.compile(
    r"^(?:/[a-z]{2}(?:[-_][a-z]{2})?)?"
    r"/(?:tag|tags|topic|topics|category|categories|author|authors|section|sections|search)"
    r"(?:/[^/]+)?(?:/page/\d+)?/?$",
    re.IGNORECASE,
)
_SEARCH_QUERY = re.compile(r"(?:^|&)(?:q|s|query|search)=", re.IGNORECASE)


def is_listing_url(url: str) -> bool:
    """A tag, author, section or search page by its URL: never one article.

    CMS templates often put ``og:type=article`` and a date on these too.
    """
    parts = urlsplit(url)
    if _LISTING_PAGE.match(parts.path or "/"):
        return True
    # /?s=term (WordPress search), /search?q=term
    return bool(parts.query and _SEARCH_QUERY.search(parts.query) and parts.path in ("", "/"))


@dataclass(frozen=True)
class Verdict:
    is_article: bool
    reason: str


def url_looks_like_article(url: str) -> bool:
    """Guess from the URL alone (before fetching): a date plus slug, an id, a long slug."""
    path = urlsplit(url).path
    if not path or path == "/" or is_listing_url(url):
        return False
    if _LISTING_PATH.search(path):
        return False
    if date_from_url(url) is not None:
        last = path.rstrip("/").rsplit("/", 1)[-1]
        return not last.isdigit() or len(last) >= 5  # /2024/03/07/ alone is a day index
    return bool(_ARTICLE_PATH.search(path.rstrip("/") if path.endswith("/") else path))


def page_jsonld_types(doc: etree._Element) -> set[str]:
    """All lowercased ``@type`` values in the page's JSON-LD blocks (``@graph`` included)."""
    types: set[str] = set()
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = script.text or ""
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        for obj in _walk_jsonld(data, depth=0):
            value = obj.get("@type")
            for t in value if isinstance(value, list) else [value]:
                if isinstance(t, str):
                    types.add(t.rsplit("/", 1)[-1].lower())
    return types


def _walk_jsonld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    # Top-level objects, lists and @graph members; not every nested value, since a
    # listing page may embed Article objects inside an ItemList.
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _walk_jsonld(graph, depth + 1)


def classify_page(doc: etree._Element | None, url: str) -> Verdict:
    """Decide from a parsed page whether it is one article.

    A listing URL (tag, author, section, search) is never an article. Otherwise
    structured data wins (``og:type=article``, JSON-LD article or listing types,
    ``article:published_time``); otherwise the URL decides, even against
    ``og:type=website``, which many CMSes put on every page.
    """
    if doc is None:
        return Verdict(False, "not html")
    if is_listing_url(url):
        return Verdict(False, "listing url")
    og_type = (meta_content(doc, "og:type") or "").strip().lower()
    if og_type == "article" or og_type.startswith("article"):
        return Verdict(True, "og:type")
    types = page_jsonld_types(doc)
    if types & ARTICLE_TYPES:
        return Verdict(True, "json-ld")
    if types & LISTING_TYPES or og_type in NON_ARTICLE_OG - {"website"}:
        return Verdict(False, "listing metadata")
    if meta_content(doc, "article:published_time", "datepublished") is not None:
        return Verdict(True, "article:published_time")
    # Many CMSes say og:type=website on every page, articles included: only a URL that
    # clearly names one article (date, id, long slug) outweighs it.
    if url_looks_like_article(url):
        return Verdict(True, "url")
    if og_type == "website":
        return Verdict(False, "listing metadata")
    return Verdict(False, "no article signal")
