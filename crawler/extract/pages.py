"""Multi-page articles: each page extracted on its own, merged into one article dict.

The first page gives the metadata; text pages add their text in order; every page adds
its comments, once each (comment pages often repeat the last thread of the page before,
so a reply's parent is on both). A comment page's own text is the article's first page
again and is not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crawler.extract.comments.model import STATUS_CLOSED, STATUS_NONE, STATUS_OPEN
from crawler.extract.options import ExtractionOptions

__all__ = ["COMMENTS", "TEXT", "extract_pages", "merge_pages"]

# the kinds of crawler.discovery.pagination (no import: this module runs in the workers)
TEXT = "text"
COMMENTS = "comments"

#: a more telling comment status wins when pages disagree (a comment page is "open")
_STATUS_RANK = {None: 0, STATUS_NONE: 1, "not_in_html": 2, STATUS_CLOSED: 3, STATUS_OPEN: 4}


def _comment_key(comment: dict[str, Any]) -> tuple[str, ...]:
    if comment.get("id"):
        return ("id", str(comment["id"]))
    return ("text", str(comment.get("author") or ""), " ".join(str(comment["text"]).split()))


def merge_pages(
    first: dict[str, Any],
    parts: Sequence[tuple[str, str, dict[str, Any]]],
    missing: Sequence[str] = (),
) -> dict[str, Any]:
    """One article from the first page's dict and ``(url, kind, dict)`` of further pages."""
    article = dict(first)
    texts = [first["text"]] if first["text"] else []
    pages = [first["url"]]
    comment_pages: list[str] = []
    comments = list(first["comments"])
    seen = {_comment_key(c) for c in comments}
    status = first.get("comments_status")
    method = first.get("comments_method")
    for url, kind, part in parts:
        if kind == TEXT:
            pages.append(url)
            if part["text"]:
                texts.append(part["text"])
        else:
            comment_pages.append(url)
        for comment in part["comments"]:
            key = _comment_key(comment)
            if key not in seen:  # overlapping comment pages: the first copy stays
                seen.add(key)
                comments.append(comment)
        if _STATUS_RANK.get(part.get("comments_status"), 0) > _STATUS_RANK.get(status, 0):
            status = part.get("comments_status")
        method = method or part.get("comments_method")
    text = "\n\n".join(texts)
    article.update(
        text=text,
        word_count=len(text.split()),
        comments=comments,
        comments_status=status,
        comments_method=method if comments else first.get("comments_method"),
        pages=pages,
        comment_pages=comment_pages,
        missing_pages=list(missing),
    )
    return article


def extract_pages(
    body: bytes | str,
    url: str,
    parts: Sequence[tuple[str, str, bytes, str | None]],
    *,
    encoding: str | None = None,
    options: ExtractionOptions | None = None,
    hints: dict[str, Any] | None = None,
    missing: Sequence[str] = (),
) -> dict[str, Any]:
    """Extract the first page and each ``(url, kind, body, encoding)`` part, then merge them."""
    # imported on use: the crawl process imports this module, not the extractor
    from crawler.extract.core import extract_article

    options = options or ExtractionOptions()
    first = extract_article(body, url, encoding=encoding, options=options, hints=hints)
    extracted = [
        (part_url, kind, extract_article(part_body, part_url, encoding=enc, options=options))
        for part_url, kind, part_body, enc in parts
    ]
    return merge_pages(first, extracted, missing)
