"""What comment extraction returns: Comment, CommentResult, section statuses, comment ids."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml.html import HtmlElement

# Status values of a page's comment section.
STATUS_OPEN = "open"
STATUS_NONE = "none"
STATUS_CLOSED = "closed"
STATUS_NOT_IN_HTML = "not_in_html"


@dataclass
class Comment:
    """One reader comment; ``parent_id`` is None for top-level comments."""

    id: str | None
    parent_id: str | None
    author: str | None
    published: str | None
    text: str
    permalink: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CommentResult:
    """Comments found on a page, how they were found, and the nodes holding them."""

    comments: list[Comment] = field(default_factory=list)
    status: str = STATUS_NONE
    method: str | None = None
    # Elements of the tree holding the comment section: pruned before main-text extraction.
    nodes: list[HtmlElement] = field(default_factory=list)


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
