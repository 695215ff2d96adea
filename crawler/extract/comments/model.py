"""What comment extraction returns: Comment, CommentResult, section statuses, comment ids."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

# one comment type, the published one (crawler/items.py)
from crawler.items import Comment

__all__ = ["Comment", "CommentResult", "short_id"]

# Status values of a page's comment section.
STATUS_OPEN = "open"
STATUS_NONE = "none"
STATUS_CLOSED = "closed"
STATUS_NOT_IN_HTML = "not_in_html"


@dataclass
class CommentResult:
    """Comments found on a page, how they were found, and the nodes holding them."""

    comments: list[Comment] = field(default_factory=list)
    status: str = STATUS_NONE
    method: str | None = None
    # Elements of the tree holding the comment section: pruned before main-text extraction.
    nodes: list[HtmlElement] = field(default_factory=list)
    # an empty comment section that JavaScript fills (an in-house widget): the status is
    # not_in_html unless the last fallback still finds comments
    empty_widget: bool = False


_ID_PREFIX_RE = re.compile(
    r"^(?:li-|div-)?(?:comment|comments|kommentar|c|post|reply)[-_]?(?=\w)", re.I
)


def short_id(raw: Any) -> str | None:
    """``comment-101``, ``li-comment-101`` or ``https://x/a#comment-101`` -> ``101``."""
    if raw in (None, ""):
        return None
    value = str(raw).strip()
    if "#" in value:
        value = value.rsplit("#", 1)[1] or value
    stripped = _ID_PREFIX_RE.sub("", value)
    return stripped or value
