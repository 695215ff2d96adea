"""Typed items: a fetched page, and the article exactly as it is published in the JSON.

``Article`` is the published schema (docs/article.schema.json describes the same fields;
a test holds the two together). Routing data the crawl needs internally (how a page was
found, the URLs it was requested under) travels in ``PageItem`` and ``ArticleItem``,
never in the published JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class PagePart:
    """A further page of a multi-page article: its text continued, or more of its comments.

    ``kind`` is ``"text"`` or ``"comments"`` (crawler.discovery.pagination's TEXT and
    COMMENTS); the page itself is archived like any other.
    """

    url: str
    kind: str
    body: bytes = field(repr=False)
    encoding: str | None


@dataclass
class PageItem:
    """A fetched article page, before extraction.

    `body` is the decoded (Content-Encoding removed) body; the verbatim bytes are in the
    WARC record that `warc` points at. It stays out of the repr, which Scrapy logs when
    an item is dropped: a log line per page, not the page. An article continued on
    further pages carries them in ``parts`` (in order), and the ones that could not be
    fetched in ``missing_pages``.
    """

    url: str
    request_url: str
    status: int
    body: bytes = field(repr=False)
    encoding: str | None
    content_type: str
    source: str
    fetched_at: str
    discovery: dict[str, Any] = field(default_factory=dict)
    warc: dict[str, Any] = field(default_factory=dict)
    parts: list[PagePart] = field(default_factory=list)
    missing_pages: list[str] = field(default_factory=list)


@dataclass
class Comment:
    """One reader comment; ``parent_id`` is None for top-level comments.

    ``byline`` is the comment's own header and footer lines as the page prints them
    ("Lauren K says:", "October 29, 2012 at 12:41 pm", "557 Fans"), without controls such as
    Reply; ``author`` and ``published`` are what newsvault reads from them.
    """

    id: str | None
    parent_id: str | None
    author: str | None
    published: str | None
    byline: str | None
    text: str
    permalink: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Provenance:
    """Where an article came from: its run, the exact WARC record, and the extractor."""

    run_id: str
    warc_file: str | None
    record_id: str | None
    offset: int | None
    length: int | None
    warc_date: str | None
    payload_digest: str | None
    fetched_at: str
    extractor: str
    extractor_version: str
    settings_hash: str


_PAGE_LISTS = ("pages", "comment_pages", "missing_pages")


@dataclass
class Article:
    """One article as published: every field is documented in docs/article.schema.json."""

    url: str
    canonical_url: str
    title: str | None
    authors: list[str]
    published: str | None
    modified: str | None
    date_source: str | None
    language: str | None
    description: str | None
    section: str | None
    tags: list[str]
    image: str | None
    site_name: str | None
    text: str
    word_count: int
    comments: list[Comment]
    comments_status: str | None
    comments_method: str | None
    pages: list[str]
    comment_pages: list[str]
    missing_pages: list[str]
    source: str
    fetched_at: str
    provenance: Provenance

    @classmethod
    def from_extracted(
        cls, extracted: dict[str, Any], *, source: str, fetched_at: str, provenance: Provenance
    ) -> Article:
        """An article from the extractor's output (extra keys the extractor adds are left out).

        A single page's output has no page lists: the article is its one page.
        """
        own = {f.name for f in fields(cls)} - {
            "comments",
            "source",
            "fetched_at",
            "provenance",
            *_PAGE_LISTS,
        }
        values = {name: extracted[name] for name in own}
        values["pages"] = list(extracted.get("pages") or [extracted["url"]])
        values["comment_pages"] = list(extracted.get("comment_pages") or ())
        values["missing_pages"] = list(extracted.get("missing_pages") or ())
        comments = [
            # a comment dict from before bylines were kept has none
            c if isinstance(c, Comment) else Comment(**{"byline": None, **c})
            for c in extracted.get("comments") or ()
        ]
        return cls(
            **values,
            comments=comments,
            source=source,
            fetched_at=fetched_at,
            provenance=provenance,
        )

    def to_dict(self) -> dict[str, Any]:
        """The article as the JSON object written to the shards.

        Built field by field: ``dataclasses.asdict`` deep-copies every value, which cost
        six times the JSON encoding of the article, on the reactor thread.
        """
        out = dict(self.__dict__)
        out["comments"] = [c.as_dict() for c in self.comments]
        out["provenance"] = dict(self.provenance.__dict__)
        return out


@dataclass
class ArticleItem:
    """An extracted article on its way to the writers, with data that is not published.

    ``aliases`` are the other URLs the article was reached under (the requested URL,
    redirect sources): the incremental state records them so later runs skip them too.
    """

    article: Article
    aliases: tuple[str, ...] = ()
