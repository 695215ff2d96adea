"""Last fallback: comments from trafilatura's flat comment text, one per paragraph."""

from __future__ import annotations

import re

from crawler.extract.comments.dom import COMMENT_NOISE_RE
from crawler.extract.comments.model import Comment
from crawler.extract.dates import parse_text_date

_FLAT_HEADING_RE = re.compile(
    r"comment|kommentar|komentarz|comentario|comentário|commentaire|comments|discussion|diskussion|dyskusj|"
    r"reply|antwort|meinung|opinion|login|log in|anmelden|iniciar|sign in|share|teilen|folgen|follow|"
    r"kommentieren|comentar|commenter|diskutieren|moderat"
)


_PINGBACK_EXCERPT_RE = re.compile(r"^\[(?:\.\.\.|…)\].*\[(?:\.\.\.|…)\]\W*$", re.S)


def flat_comments(text: str, url: str) -> list[Comment]:
    """Last fallback: one comment per paragraph of trafilatura's flat comment string.

    Section headings and prompts ("Comments (0)", "Log in to comment") that come with it are
    dropped; a fallback holding nothing longer than a line of chatter gives no comments at all.
    """
    kept = []
    for para in (p.strip() for p in re.split(r"\n+", text or "")):
        if not para or COMMENT_NOISE_RE.match(para.lower()):
            continue
        if len(para) < 160 and _FLAT_HEADING_RE.search(para.lower()):
            continue
        if parse_text_date(para) and len(para) < 40:
            continue
        if _PINGBACK_EXCERPT_RE.match(para):
            continue  # "[…] quoted from the linking post […]": a pingback, not a reader
        kept.append(para)
    if not any(len(p) >= 40 for p in kept):
        return []
    return [
        Comment(
            id=f"c{index}", parent_id=None, author=None, published=None, text=para, permalink=None
        )
        for index, para in enumerate(kept, start=1)
    ]
