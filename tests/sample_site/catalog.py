"""The sample site's fixed catalogue: articles, sections, special paths and ordering helpers."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from .content_multipage import MULTIPAGE
from .content_science import SCIENCE
from .content_world import WORLD
from .model import ArticleSpec

logger = logging.getLogger(__name__)

SITE_NAME = "The Meridian Post"
LANGUAGE = "en"
SECTIONS: dict[str, str] = {"world": "World", "science": "Science"}
SECTION_PAGE_SIZE = 6
HOME_LIMIT = 30

ARTICLES: tuple[ArticleSpec, ...] = WORLD + SCIENCE + MULTIPAGE

PRIVATE_PATH = "/private/staff-notes/"
NOT_FOUND_PATH = "/2026/10/02/harbour-authority-denies-report/"
ABOUT_PATH = "/about/"
TRACKING_QUERY = "utm_source=homepage&utm_medium=promo&utm_campaign=editors-pick"
TRACKED_KEY = "canada-tankers"

FEEDS = {"rss": "/feed/", "atom": "/atom.xml", "jsonfeed": "/feed.json"}
SITEMAP_INDEX = "/sitemap_index.xml"
SITEMAPS = {
    "news": "/news-sitemap.xml",
    "sitemap-1": "/sitemap-1.xml",
    "sitemap-2": "/sitemap-2.xml.gz",
}


def parse_date(value: str) -> datetime:
    """Parse an ISO date or datetime; a bare date is midnight UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def newest_first(articles: list[ArticleSpec] | tuple[ArticleSpec, ...]) -> list[ArticleSpec]:
    return sorted(articles, key=lambda a: parse_date(a.published), reverse=True)


def by_key(
    key: str, articles: tuple[ArticleSpec, ...] | list[ArticleSpec] = ARTICLES
) -> ArticleSpec:
    for article in articles:
        if article.key == key:
            return article
    raise KeyError(key)


def section_pages(
    section: str, articles: list[ArticleSpec] | tuple[ArticleSpec, ...]
) -> list[list[ArticleSpec]]:
    """The section's articles, newest first, cut into pages (at least one page)."""
    listed = newest_first([a for a in articles if a.section == section and a.in_section])
    pages = [listed[i : i + SECTION_PAGE_SIZE] for i in range(0, len(listed), SECTION_PAGE_SIZE)]
    return pages or [[]]


def section_page_path(section: str, number: int) -> str:
    return f"/{section}/" if number == 1 else f"/{section}/page/{number}/"


def section_link_path(article: ArticleSpec) -> str:
    """The link a section page uses: a stale pre-redirect URL where there is one."""
    return article.old_paths[0] if article.old_paths else article.path
