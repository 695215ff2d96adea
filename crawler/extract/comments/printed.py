"""A comment's lines as the page prints them: controls out of its text, and its byline.

Controls and labels (Reply, Like, vote counters) are no part of what a reader wrote; the
lines around the text (name, "says:", the date as written) are the comment's byline, kept
as printed beside the author and date newsvault reads from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["COMMENT_NOISE_RE", "byline_of", "clean_comment_text"]

# lines of a comment block that are controls or labels, not what the reader wrote
COMMENT_NOISE_RE = re.compile(
    r"^(?:\d+|reply|replies|antworten|antwort|répondre|repondre|responder|rispondi|odpowiedz|beantwoorden|"
    r"like|likes|\d+ (?:likes?|recommendations?|votes?|points?)|gefällt mir|j'aime|me gusta|melden|report|report abuse|flag|permalink|quote|zitieren|"
    r"kommentar von|comment by|says:?|sagt:?|pingback:?|trackback:?|edit|bearbeiten|log in to reply|zum antworten anmelden"
    # a Twitter follow button in a signature ("Follow @ann", "Follow me on Twitter @ann")
    r"|follow (?:me |us )?(?:on twitter:? )?@\w+)[\s.:!]*$"
)


def clean_comment_text(text: str) -> str:
    """Drop control/label lines (Reply, Like, counters) from a comment's text."""
    paragraphs = []
    for para in text.split("\n\n"):
        kept = [
            line for line in para.split("\n") if not COMMENT_NOISE_RE.match(line.strip().lower())
        ]
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)


# a byline's controls and the marks around them ("Reply ↓", "| Permalink", "Reply #"):
# stripped from the end of a line, and lines of nothing else dropped
_CONTROL_MARKS_RE = re.compile(r"^[\s|/↓↑→←»«·•#]+|[\s|/↓↑→←»«·•#]+$")
_CONTROL_TAIL_RE = re.compile(
    r"(?:[\s|/.,·•#-]*\b(?:reply(?: to this comment)?|permalink|link to|share|quote|delete"
    r"|zum antworten anmelden|antworten|zitieren|löschen|répondre|responder|rispondi|odpowiedz)"
    r"\b[\s|/.#↓]*)+$",
    re.I,
)
_CONTROL_LINE_RE = re.compile(
    r"^(?:up|down|actions|share|facebook|tweet|twitter|email|comment|link|vote|recommend|profile"
    r"|contact|homepage|website|rate up|rate down|vote up|vote down|reply to this(?: parent)?"
    r"|flag as inappropriate|report (?:abuse|comment|this)|delete(?: comment)?|spam|moderate"
    r"|(?:log ?in|sign in|register)(?: or (?:log ?in|sign in|register))? to (?:post comments|reply|comment)"
    r"|(?:report|link to) this(?: comment)?(?: \(.*\))?)$"
)
# longer than this, the lines around a comment's text are not its name-and-date lines
BYLINE_MAX = 300
BYLINE_MAX_LINES = 6


def byline_of(lines: Iterable[str], text: str, title: str | None) -> str | None:
    """The lines of a comment block that are neither its ``text`` nor its ``title`` nor
    controls, in page order: "Ann says:", "October 29, 2012 at 12:41 pm".

    None when there are none, or when they run longer than a byline does (a block whose
    text was only part of it).
    """
    written = {line.strip() for line in text.split("\n") if line.strip()}
    if title:
        written.add(title)
    kept: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line in written:
            continue
        for part in written:
            # the text set inline after the name ("Ann: Great post!")
            if len(part) >= 8 and part in line:
                line = line.replace(part, " ").strip()
        line = _CONTROL_MARKS_RE.sub("", _CONTROL_TAIL_RE.sub("", line))
        low = line.lower()
        if (
            line
            and not COMMENT_NOISE_RE.match(low)
            and not _CONTROL_LINE_RE.match(low)
            and line not in kept
        ):
            kept.append(line)
    byline = "\n".join(kept)
    if not byline or len(byline) > BYLINE_MAX or len(kept) > BYLINE_MAX_LINES:
        return None
    return byline
