"""A comment's writer and date written in words: "Posted by: Ann | date", "Ann says:"."""

from __future__ import annotations

import re

from crawler.extract.dates import parse_text_date

# a comment's footer or header line that names its writer in words (Movable Type, TypePad,
# JomComment): "Posted by: Name | 09/21/2012 at 09:38 PM", "Comment #3 - Posted by Name at
# November 10, 2012 5:57 PM", "written by Name, October 24, 2012"
BYLINE_RE = re.compile(
    r"^(?:comment\s*#?\s*\d+\s*[-–:|]?\s*)?(?:posted|written|submitted|geschrieben|verfasst"
    r"|publié|escrito|scritto)\s+(?:by|von|par|por|da)\b\s*:?\s*(?P<name>.+?)"
    r"(?:\s*(?:\||,|\bat\b|\bon\b|\bam\b|\ble\b|@|–|-)\s*(?P<date>[^|]*\d[^|]*?))?"
    r"(?:\s*\|[^|]*)?\s*$",
    re.I,
)
# cheap test of a block's text before looking for the line itself
BYLINE_HINT_RE = re.compile(
    r"(?:posted|written|submitted|geschrieben|verfasst|publié|escrito|scritto)\s+(?:by|von|par|por|da)\b",
    re.I,
)
# elements that hold such a line
BYLINE_TAGS = ("p", "span", "div", "small", "em", "footer", "li")

# a date relative to the page's time: "3 hours ago", "added about 9 hours ago", "vor 2 Tagen"
RELATIVE_TIME_RE = re.compile(
    r"\b(?:\d+|an?|one|about \w+)\s+(?:sec(?:ond)?|min(?:ute)?|hour|hr|day|week|month|year)s?\s+ago\b"
    r"|\bvor\s+(?:\d+|einer?|einem)\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monaten?|jahren?)\b"
    r"|^(?:yesterday|just now|gestern)\b",
    re.I,
)

# "Ann Reader says:" as a line of its own (a heading or a bold line, as themes print it)
_SAYS_WORDS = r"(?:says|said|wrote|sagt|schreibt|schrieb|dit|a écrit|dice|scrive|zegt)"
SAYS_HINT_RE = re.compile(r"\b" + _SAYS_WORDS + r"\b", re.I)
_SAYS_LINE_RE = re.compile(
    r"^(?P<name>\S.{0,79}?)\s+" + _SAYS_WORDS + r"\s*(?::|,|\.\.\.|…)?$", re.I
)
_NAME_DATE_RE = re.compile(r"\s+(?:on|at|am|le|el|\||-|–)\s+(?=.*\d)", re.I)
SAYS_TAGS = ("h2", "h3", "h4", "h5", "strong", "b", "span", "p", "div", "cite")


def byline_parts(text: str) -> tuple[str, str | None] | None:
    """("Name", "date text" or None) of a "Posted by: Name | date" line, or None."""
    found = BYLINE_RE.match(" ".join(text.split()))
    if not found:
        return None
    name = found["name"].strip(" :-–|,")
    if not name or len(name) > 80:
        return None
    return name, found["date"]


def says_name(line: str) -> str | None:
    """ "Ann Reader" of a short "Ann Reader says:" (or "said,") line, or None."""
    found = _SAYS_LINE_RE.match(line) if len(line) <= 100 else None
    if not found:
        return None
    # "Ann on August 9th, 2012 at 10:16 am said:": the date is no part of the name
    name = _NAME_DATE_RE.split(found["name"], maxsplit=1)[0].strip(" :-–|+")
    return name or None


# "Nichole — June 26th, 2012, 10:27 am", "Kris On Thursday, November 1 at 3:11 pm"
_NAME_THEN_DATE_RE = re.compile(
    r"^(?:by\s+)?(?P<name>[^\d|/]{1,60}?)\s*(?:—|–|-|\||/|\bon\b|\bat\b)\s+(?P<rest>.*\d.*)$", re.I
)
# "said..." on a line of its own, under the name (Blogger)
_SAYS_ALONE_RE = re.compile(r"^" + _SAYS_WORDS + r"\s*(?::|\.\.\.|…)?$", re.I)


def byline_author(byline: str) -> str | None:
    """The writer named by the first line of a comment's printed byline, or None.

    "Ann says:", "Ann" over a line "said...", or "Ann — date" / "Ann on date"; a line that is
    a date itself names nobody.
    """
    lines = byline.split("\n")
    first = lines[0].strip()
    if len(lines) > 1 and _SAYS_ALONE_RE.match(lines[1].strip()):
        name: str | None = first
    else:
        name = says_name(first)
        if name is None:
            found = _NAME_THEN_DATE_RE.match(first)
            name = found["name"] if found and parse_text_date(found["rest"]) else None
    name = (name or "").strip(" :-–—|")
    if not name or len(name) > 60 or parse_text_date(name) or not re.search(r"[^\W\d_]", name):
        return None
    return name


# what separates the fields of a signature line ("October 11, 2012 | Ann Reader")
_FIELD_SEP_RE = re.compile(r"\s*[|·•]\s*")


def signature_date(text: str) -> str | None:
    """The date of a short line that is a date, or a field of a signature line that is one.

    Longer lines are sentences that mention a date, unless they are a line of short fields
    ("October 11, 2012 | The Diplomat's Wife") and the date is one of them; a sentence
    ends like one.
    """
    if len(text) <= 40:
        return parse_text_date(text)
    parts = _FIELD_SEP_RE.split(text)
    if (
        len(text) > 120
        or len(parts) < 2
        or any(len(part) > 40 for part in parts)
        or text.endswith((".", "!", "?"))
    ):
        return None
    for part in parts:
        date = parse_text_date(part)
        if date:
            return date
    return None
