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
    # WordPress only: indexes of ``body`` where pages 2, 3, ... start (served at
    # PATH2/, PATH3/: wp_link_pages), and of ``comments`` where comment pages 2, 3, ...
    # start (PATHcomment-page-2/); a comment page repeats the thread its first reply is in
    page_breaks: tuple[int, ...] = ()
    comment_breaks: tuple[int, ...] = ()
    # the article a WordPress "next post" link (rel=next) points at: not a page of this one
    next_post: str | None = None

    @property
    def content_encoding(self) -> str:
        """How the body is sent on the wire."""
        if self.transfer != "default":
            return self.transfer
        return "gzip-negotiated" if self.cms == DRUPAL else "identity"

    @property
    def comment_count(self) -> int:
        return len(self.comments)

    @property
    def page_count(self) -> int:
        return 1 + len(self.page_breaks)

    @property
    def comment_page_count(self) -> int:
        return 1 + len(self.comment_breaks)

    def page_path(self, number: int) -> str:
        return self.path if number == 1 else f"{self.path}{number}/"

    def comment_page_path(self, number: int) -> str:
        return self.path if number == 1 else f"{self.path}comment-page-{number}/"

    def body_of_page(self, number: int) -> tuple[str, ...]:
        """The body items on page ``number`` (1-based)."""
        cuts = (0, *self.page_breaks, len(self.body))
        return self.body[cuts[number - 1] : cuts[number]]

    def comments_of_page(self, number: int) -> tuple[Comment, ...]:
        """The comments new on comment page ``number`` (1-based), without repeated ones."""
        cuts = (0, *self.comment_breaks, len(self.comments))
        return self.comments[cuts[number - 1] : cuts[number]]

    def comments_shown(self, number: int) -> tuple[Comment, ...]:
        """Comment page ``number`` as served: the ancestors of its first reply repeated."""
        own = self.comments_of_page(number)
        by_id = {c.id: c for c in self.comments}
        ancestors: list[Comment] = []
        parent = by_id.get(own[0].parent_id or "") if own else None
        while parent is not None:
            ancestors.insert(0, parent)
            parent = by_id.get(parent.parent_id or "")
        return (*ancestors, *own)
