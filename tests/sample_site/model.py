"""Data model of the sample news site: articles, comments and how each one is reached."""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

WORDPRESS = "wordpress"
DRUPAL = "drupal"


@dataclass(frozen=True)
class Comment:
    """One reader comment; ``parent_id`` is None for a top-level comment."""

    id: str
    parent_id: str | None
    author: str
    published: str
    text: str


@dataclass(frozen=True)
class ArticleSpec:
    """One article and everything the server and the ground truth need to know about it.

    ``body`` items starting with ``"## "`` are rendered as sub-headings.
    """

    key: str
    cms: str
    path: str
    title: str
    authors: tuple[str, ...]
    published: str
    section: str
    summary: str
    body: tuple[str, ...]
    modified: str | None = None
    keywords: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    # "open" (comment form), "closed" ("Comments are closed."), "none" (no comment
    # section at all), "not_in_html" (loaded by JavaScript: Disqus embed).
    comments_status: str = "none"
    # Drupal pages only: "html", "microdata" (schema.org Comment) or "jsonld"
    # (JSON-LD ``comment`` array, also rendered as HTML).
    comment_markup: str = "html"
    feeds: tuple[str, ...] = ()
    sitemap: str | None = None
    sitemap_lastmod: bool = True
    news_sitemap: bool = False
    on_home: bool = False
    in_section: bool = True
    # "default" (identity for WordPress, gzip when accepted for Drupal),
    # "gzip-always", "chunked" or "br-negotiated" (Brotli when accepted).
    transfer: str = "default"
    charset: str = "utf-8"
    alt_paths: tuple[str, ...] = ()
    old_paths: tuple[str, ...] = ()
    date_in_page: bool = True
    related: tuple[str, ...] = ()
    reply_title: str = "Leave a Reply"

    @property
    def content_encoding(self) -> str:
        """How the body is sent on the wire."""
        if self.transfer != "default":
            return self.transfer
        return "gzip-negotiated" if self.cms == DRUPAL else "identity"

    @property
    def comment_count(self) -> int:
        return len(self.comments)
