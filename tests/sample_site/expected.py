"""Ground truth of the sample site, as a JSON-ready dict (pinned in ``expected.json``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from . import catalog
from .catalog import (
    ABOUT_PATH,
    ARTICLES,
    FEEDS,
    NOT_FOUND_PATH,
    PRIVATE_PATH,
    SECTIONS,
    SITEMAP_INDEX,
    SITEMAPS,
    TRACKED_KEY,
    TRACKING_QUERY,
    by_key,
    section_link_path,
    section_page_path,
    section_pages,
)
from .extras import EXTRA_SECTION
from .model import WORDPRESS, ArticleSpec

logger = logging.getLogger(__name__)

EXPECTED_PATH = Path(__file__).with_name("expected.json")

# Text that belongs to page furniture, never to an article's cleaned body.
BOILERPLATE = [
    "Leave a Reply",
    "Leave a Comment",
    "Your email address will not be published",
    "Required fields are marked",
    "Save my name, email, and website",
    "Post Comment",
    "Add new comment",
    "Comments are closed.",
    "Share on Facebook",
    "Share this:",
    "Subscribe to our newsletter",
    "We use cookies",
    "Related articles",
    "Skip to content",
    "Proudly powered by WordPress",
    "All rights reserved",
    "Please enable JavaScript to view the",
]


def _comment_markup(article: ArticleSpec) -> str | None:
    if article.comments_status == "not_in_html":
        return "disqus"
    if article.comments_status == "none":
        return None
    return "wordpress" if article.cms == WORDPRESS else f"drupal-{article.comment_markup}"


def discovery(
    article: ArticleSpec, articles: list[ArticleSpec] | tuple[ArticleSpec, ...]
) -> dict[str, object]:
    pages: list[str] = []
    if article.in_section:
        for number, page in enumerate(section_pages(article.section, articles), start=1):
            if article in page:
                pages.append(section_page_path(article.section, number))
    sitemaps = (["news"] if article.news_sitemap else []) + (
        [article.sitemap] if article.sitemap else []
    )
    home = article.on_home or article.key == TRACKED_KEY
    routes = sorted(
        r
        for r, present in (
            ("feed", bool(article.feeds)),
            ("sitemap", bool(sitemaps)),
            ("section", bool(pages)),
            ("home", home),
        )
        if present
    )
    return {
        "feeds": list(article.feeds),
        "sitemaps": sitemaps,
        "section_pages": pages,
        "section_link": section_link_path(article) if pages else None,
        "home": home,
        "routes": routes,
    }


def article_entry(
    article: ArticleSpec, articles: list[ArticleSpec] | tuple[ArticleSpec, ...] = ARTICLES
) -> dict[str, object]:
    paragraphs = [p for p in article.body if not p.startswith("## ")]
    return {
        "key": article.key,
        "path": article.path,
        "canonical_path": article.path,
        "alternate_paths": list(article.alt_paths),
        "redirects_from": list(article.old_paths),
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published,
        "date_in_page": article.date_in_page,
        "modified": article.modified,
        "section": article.section,
        "language": "en",
        "cms": article.cms,
        "charset": article.charset,
        "content_encoding": article.content_encoding,
        "keywords": list(article.keywords),
        "summary": article.summary,
        "paragraphs": paragraphs,
        "subheadings": [p[3:] for p in article.body if p.startswith("## ")],
        "word_count": sum(len(p.split()) for p in paragraphs),
        "comments_status": article.comments_status,
        "comment_markup": _comment_markup(article),
        "comment_count": article.comment_count,
        "comments": [
            {
                "id": c.id,
                "parent_id": c.parent_id,
                "author": c.author,
                "published": c.published,
                "text": c.text,
                "anchor": f"comment-{c.id}",
                "page_path": article.comment_page_path(number),
            }
            for number in range(1, article.comment_page_count + 1)
            for c in article.comments_of_page(number)
        ],
        "pages": [article.page_path(n) for n in range(1, article.page_count + 1)],
        "comment_pages": [
            article.comment_page_path(n) for n in range(2, article.comment_page_count + 1)
        ],
        "discovery": discovery(article, articles),
    }


def build_expected(
    articles: list[ArticleSpec] | tuple[ArticleSpec, ...] = ARTICLES,
) -> dict[str, object]:
    """Everything tests may assert about the site (paths only: the port varies)."""
    entries = [article_entry(a, articles) for a in articles]
    tracked = by_key(TRACKED_KEY, articles)
    feed_union = sorted({a.path for a in articles if a.feeds})
    return {
        "site": {"name": catalog.SITE_NAME, "language": catalog.LANGUAGE},
        "pages": {
            "home": "/",
            "about": ABOUT_PATH,
            "robots": "/robots.txt",
            "sections": {
                s: [section_page_path(s, n) for n in range(1, len(section_pages(s, articles)) + 1)]
                for s in SECTIONS
            },
            "feeds": dict(FEEDS),
            "sitemap_index": SITEMAP_INDEX,
            "sitemaps": dict(SITEMAPS),
        },
        "robots": {
            "disallow": ["/private/", "/wp-admin/"],
            "sitemap_path": SITEMAP_INDEX,
            "disallowed_linked_paths": [PRIVATE_PATH],
        },
        "feed_union": feed_union,
        "only_via": {
            "news_sitemap": by_key("antarctic-krill", articles).path,
            "sitemap_gz": by_key("mongolia-fossils", articles).path,
            "atom": by_key("jupiter-impact", articles).path,
            "section_page_2": by_key("crete-harbour", articles).path,
        },
        "oddities": {
            "gzip_always": by_key("honeybees", articles).path,
            "gzip_negotiated": [a.path for a in articles if a.content_encoding == "gzip-negotiated"]
            + [
                FEEDS["rss"],
                FEEDS["atom"],
                FEEDS["jsonfeed"],
                SITEMAP_INDEX,
                SITEMAPS["news"],
                SITEMAPS["sitemap-1"],
            ],
            "chunked": by_key("southern-ocean", articles).path,
            "br_negotiated": [a.path for a in articles if a.content_encoding == "br-negotiated"],
            "redirects": [
                {
                    "from": old,
                    "to": a.path,
                    "status": 301,
                    "linked_from": discovery(a, articles)["section_pages"],
                }
                for a in articles
                for old in a.old_paths
            ],
            "not_found": [
                {
                    "path": NOT_FOUND_PATH,
                    "linked_from": ["/", by_key("rotterdam-strike", articles).path],
                }
            ],
            "cp1252": by_key("lyon-cafes", articles).path,
            "query_string": by_key("iceland-bananas", articles).path,
            "two_set_cookies": "/",
            "duplicate": {
                "canonical": tracked.path,
                "alternates": list(tracked.alt_paths),
                "tracking_link": f"{tracked.path}?{TRACKING_QUERY}",
                "tracking_link_on": "/",
            },
            "date_only_in_url": by_key("nepal-trek", articles).path,
            "disqus": by_key("danube-flood", articles).path,
            "comments_closed": by_key("rotterdam-strike", articles).path,
            "multipage_text": by_key("tidal-lagoon", articles).path,
            "multipage_comments": by_key("night-trains", articles).path,
            "next_post_link": (
                "tidal-lagoon links its next post (rel=next) to night-trains: an article, "
                "not a page of tidal-lagoon."
            ),
            "wordpress_replytocom_links": (
                "WordPress comment Reply links point at ARTICLE?replytocom=ID#respond "
                '(rel="nofollow"); the server answers them with the same page.'
            ),
        },
        "boilerplate": BOILERPLATE,
        "publish_extra": {
            "section": EXTRA_SECTION,
            "cms": "drupal",
            "path_prefix": "/news/2000",
            "appears_in": ["rss", "atom", "jsonfeed", "news", "sitemap-1", "home", "section"],
        },
        "articles": entries,
    }


def write_expected(path: Path = EXPECTED_PATH) -> Path:
    path.write_text(
        json.dumps(build_expected(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    logger.info("wrote %s", path)
    return path


def load_expected(path: Path = EXPECTED_PATH) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8"))
