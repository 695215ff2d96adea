"""Last fallback: comments from trafilatura's flat comment text, one per paragraph."""

from __future__ import annotations

import re

from crawler.extract.comments.dom import PINGBACK_EXCERPT_RE
from crawler.extract.comments.model import Comment
from crawler.extract.comments.printed import COMMENT_NOISE_RE
from crawler.extract.dates import parse_text_date

_FLAT_HEADING_RE = re.compile(
    r"comment|kommentar|komentarz|comentario|comentário|commentaire|comments|discussion|diskussion|dyskusj|"
    r"reply|antwort|meinung|opinion|login|log in|anmelden|iniciar|sign in|share|teilen|folgen|follow|"
    r"kommentieren|comentar|commenter|diskutieren|moderat"
)


_SENTENCE_END_RE = re.compile(r"[.!?…](?:[\s\"'”)]|$)")
# site notices, policies and link lists that trafilatura's comment heuristics also collect
_NOTICE_RE = re.compile(
    r"^(?:disclaimer|by (?:clicking|commenting|posting|submitting)|we encourage|please (?:be|keep|note|read)"
    r"|trackback|listed below are links|no account|registration is|pingback|reblogged this on"
    r"|all (?:posts|comments) are|you must|tags?\b|filed under|posted in|subscribe"
    r"|\d+ (?:responses?|comments?|thoughts?|replies) (?:to|on)\b)"
)


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
        if PINGBACK_EXCERPT_RE.match(para):
            continue  # "[…] quoted from the linking post […]": a pingback, not a reader
        if _NOTICE_RE.match(para.lower()) or _headline_like(para):
            continue
        kept.append(para)
    # at least one remark in sentences: a list of titles or labels is no comment section
    if not any(len(p) >= 40 and _SENTENCE_END_RE.search(p) for p in kept):
        return []
    return [
        Comment(
            id=f"c{index}",
            parent_id=None,
            author=None,
            published=None,
            byline=None,
            text=para,
            permalink=None,
        )
        for index, para in enumerate(kept, start=1)
    ]


def _headline_like(para: str) -> bool:
    """A title of a linked story or a label ("Headline Writing Drives Traffic:"), not a remark."""
    words = para.split()
    if len(words) > 14 or para.rstrip().endswith((".", "!", "?", ")", '"', "”", "…")):
        return False
    return para.rstrip().endswith(":") or sum(w[:1].isupper() for w in words) * 2 >= len(words)
