"""Structured reader-comment extraction (threaded) from a parsed HTML tree."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

__all__ = [
    "Comment",
    "CommentResult",
    "block_text",
    "extract_comments",
    "jsonld_objects",
    "normalize_date",
    "parse_text_date",
]

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


# ---------------------------------------------------------------------------
# dates

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (
                "jan",
                "january",
                "januar",
                "janvier",
                "enero",
                "gennaio",
                "jänner",
                "januari",
                "janeiro",
                "stycznia",
            ),
            (
                "feb",
                "february",
                "februar",
                "février",
                "fevrier",
                "febrero",
                "febbraio",
                "februari",
                "fevereiro",
                "lutego",
            ),
            ("mar", "march", "märz", "maerz", "mars", "marzo", "maart", "março", "marca"),
            ("apr", "april", "avril", "abril", "aprile", "kwietnia"),
            ("may", "mai", "mayo", "maggio", "mei", "maio", "maja"),
            ("jun", "june", "juni", "juin", "junio", "giugno", "junho", "czerwca"),
            ("jul", "july", "juli", "juillet", "julio", "luglio", "julho", "lipca"),
            ("aug", "august", "août", "aout", "agosto", "augustus", "sierpnia"),
            (
                "sep",
                "sept",
                "september",
                "septembre",
                "septiembre",
                "settembre",
                "setembro",
                "września",
            ),
            (
                "oct",
                "october",
                "oktober",
                "octobre",
                "octubre",
                "ottobre",
                "okt",
                "outubro",
                "października",
            ),
            ("nov", "november", "novembre", "noviembre", "novembro", "listopada"),
            (
                "dec",
                "december",
                "dezember",
                "décembre",
                "decembre",
                "diciembre",
                "dicembre",
                "dez",
                "dezembro",
                "grudnia",
            ),
        ],
        start=1,
    )
    for name in names
}

_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_COMPACT_RE = re.compile(
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$"
)
_TIME_RE = re.compile(
    r"(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?", re.I
)
# 18.05.2014, 18/05/2014, and the typographic 18. 05. 2014 (thin spaces too)
_DMY_NUM_RE = re.compile(r"\b(?P<d>\d{1,2})[./]\s?(?P<m>\d{1,2})[./]\s?(?P<y>\d{4})\b")
_TEXT_DATE_RES = (
    # 5 January 2024 / 5. Januar 2024 / 5 janv. 2024
    re.compile(
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<mon>[^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(?P<y>\d{4})\b"
    ),
    # January 5, 2024
    re.compile(r"\b(?P<mon>[^\W\d_]{3,10})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b"),
)


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


def _tz_suffix(tz: str | None) -> str:
    if not tz:
        return ""
    if tz == "Z":
        return "+00:00"
    digits = tz[1:].replace(":", "")
    if len(digits) == 2:
        digits += "00"
    return f"{tz[0]}{digits[:2]}:{digits[2:4]}"


def _build(
    y: int, m: int, d: int, hh: int | None, mm: int | None, ss: int | None, tz: str
) -> str | None:
    try:
        datetime(y, m, d, hh or 0, mm or 0, ss or 0)
    except ValueError:
        return None
    if not 1900 <= y <= 2100 or (y, m, d) == (1970, 1, 1):  # the Unix epoch is a null date
        return None
    day = f"{y:04d}-{m:02d}-{d:02d}"
    if hh is None:
        return day
    return f"{day}T{hh:02d}:{mm or 0:02d}:{ss or 0:02d}{tz}"


def normalize_date(value: Any) -> str | None:
    """Return an ISO 8601 string keeping exactly the precision the source gives.

    A date alone stays a date (``2024-01-05``), a time without zone stays naive,
    a zone is kept as an offset. Unparseable values give None.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        # epoch seconds or milliseconds
        ts = float(value) / (1000 if value > 10**11 else 1)
        try:
            return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    match = _ISO_RE.search(text)
    if match:
        g = match.groupdict()
        hh = int(g["H"]) if g["H"] is not None else None
        return _build(
            int(g["y"]),
            int(g["m"]),
            int(g["d"]),
            hh,
            int(g["M"]) if g["M"] else None,
            int(g["S"]) if g["S"] else None,
            _tz_suffix(g["tz"]) if hh is not None else "",
        )
    match = _COMPACT_RE.match(text)
    if match:
        g = match.groupdict()
        hh = int(g["H"]) if g["H"] else None
        return _build(
            int(g["y"]), int(g["m"]), int(g["d"]), hh, int(g["M"]) if g["M"] else None, None, ""
        )
    return parse_text_date(text)


def parse_text_date(text: str) -> str | None:
    """Parse human-written dates such as 'March 3, 2024 at 10:15 am' or '3. März 2024, 10:15'."""
    y = m = d = None
    rest = text
    num = _DMY_NUM_RE.search(text)
    if num:
        y, m, d = int(num["y"]), int(num["m"]), int(num["d"])
        rest = text[num.end() :]
    else:
        for regex in _TEXT_DATE_RES:
            found = regex.search(text)
            if found and found["mon"].lower().rstrip(".") in _MONTHS:
                y, m, d = (
                    int(found["y"]),
                    _MONTHS[found["mon"].lower().rstrip(".")],
                    int(found["d"]),
                )
                rest = text[found.end() :]
                break
    if y is None or m is None or d is None:
        return None
    hh = mm = ss = None
    tmatch = _TIME_RE.search(rest)
    if tmatch:
        hh, mm = int(tmatch["H"]), int(tmatch["M"])
        ss = int(tmatch["S"]) if tmatch["S"] else None
        ampm = (tmatch["ampm"] or "").lower().replace(".", "")
        if ampm == "pm" and hh < 12:
            hh += 12
        elif ampm == "am" and hh == 12:
            hh = 0
        if hh > 23 or mm > 59:
            hh = mm = ss = None
    return _build(y, m, d, hh, mm, ss, "")


# ---------------------------------------------------------------------------
# text helpers

_BLOCK_TAGS = frozenset(
    "p div li ul ol blockquote pre h1 h2 h3 h4 h5 h6 section article header footer table tr dd dt dl figure".split()
)
_SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "button", "form", "svg", "iframe", "select"]
)
_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def block_text(el: HtmlElement, exclude: set[Any] | None = None) -> str:
    """Text of ``el`` with block elements as paragraphs separated by a blank line.

    Elements in ``exclude`` (and script/style/forms) are skipped with their subtree.
    """
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = _tag(node)
        if tag in _SKIP_TAGS or (exclude and node in exclude):
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n\n")
        elif tag == "br":
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n\n")

    walk(el)
    raw = "".join(parts)
    paragraphs = []
    for para in re.split(r"\n\s*\n", raw):
        lines = [_WS_RE.sub(" ", line).strip() for line in para.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def _clean_inline(text: str | None) -> str:
    return _WS_RE.sub(" ", (text or "").replace("\n", " ")).strip()


def _classes(el: HtmlElement) -> set[str]:
    return set((el.get("class") or "").lower().split())


# ---------------------------------------------------------------------------
# JSON-LD


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, with @graph and top-level lists flattened."""
    out: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            # common breakage: raw control characters inside strings
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]+", " ", raw))
            except ValueError:
                logger.debug("unparseable JSON-LD block skipped")
                continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[0:0] = item
            elif isinstance(item, dict):
                out.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                elif isinstance(graph, dict):
                    stack.append(graph)
    return out


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    types = obj.get("@type")
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return set()
    return {str(t).rsplit("/", 1)[-1].lower() for t in types}


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    if isinstance(value, str):
        return _clean_inline(value) or None
    return None


def _ld_text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return ""
    if "<" in value and ">" in value:
        try:
            frag = etree.fromstring(f"<div>{value}</div>", parser=etree.HTMLParser())
            body = frag.find(".//div")
            if body is not None:
                return block_text(body)
        except (etree.ParserError, ValueError):
            pass
    return "\n\n".join(p.strip() for p in re.split(r"\n\s*\n", value) if p.strip())


def _jsonld_comments(objects: list[dict[str, Any]], url: str) -> list[Comment]:
    out: list[Comment] = []
    seen: set[int] = set()

    def visit(item: Any, parent: str | None) -> None:
        if isinstance(item, list):
            for sub in item:
                visit(sub, parent)
            return
        if not isinstance(item, dict) or id(item) in seen:
            return
        seen.add(id(item))
        text = _ld_text(item.get("text") or item.get("commentText") or item.get("articleBody"))
        raw_id = item.get("@id") or item.get("identifier") or item.get("url")
        cid = short_id(raw_id) if isinstance(raw_id, (str, int)) else None
        if text:
            if cid is None:
                cid = f"c{len(out) + 1}"
            own_parent = item.get("parentItem") or item.get("replyToUrl")
            if isinstance(own_parent, dict):
                own_parent = own_parent.get("@id") or own_parent.get("url")
            link = item.get("url") or (
                raw_id if isinstance(raw_id, str) and "#" in raw_id else None
            )
            out.append(
                Comment(
                    id=cid,
                    parent_id=short_id(own_parent)
                    if isinstance(own_parent, str) and own_parent
                    else parent,
                    author=_ld_name(item.get("author") or item.get("creator")),
                    published=normalize_date(item.get("dateCreated") or item.get("datePublished")),
                    text=text,
                    permalink=urljoin(url, link) if isinstance(link, str) else None,
                )
            )
        for key in ("comment", "comments"):
            if key in item:
                visit(item[key], cid if text else parent)

    for obj in objects:
        for key in ("comment", "comments"):
            if key in obj:
                visit(obj[key], None)
    return out


# ---------------------------------------------------------------------------
# DOM comment families

_HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"

_WP_LIST_XPATH = etree.XPath(
    "//*[self::ol or self::ul or self::div]["
    + " or ".join(
        _HAS_CLASS.format(c)
        for c in ("commentlist", "comment-list", "comments-list", "commentslist")
    )
    + "]"
)
_WP_ITEM_XPATH = etree.XPath(
    ".//li[contains(concat(' ', normalize-space(@class), ' '), ' comment ') or starts-with(@id, 'comment-')"
    " or starts-with(@id, 'li-comment-')]"
)
_MICRODATA_XPATH = etree.XPath(
    "//*[@itemscope and (contains(@itemtype, 'schema.org/Comment') or contains(@itemtype, 'schema.org/UserComments')"
    " or (@itemprop='comment' and contains(@itemtype, 'schema.org/')))]"
)
_DRUPAL_XPATH = etree.XPath(
    "//*[@class][(self::article or self::div or self::li or self::section)"
    " and ("
    + " or ".join(_HAS_CLASS.format(c) for c in ("comment", "js-comment", "comment-item"))
    + ")]"
)
# wpDiscuz, the most common WordPress comment plugin after the core list
_WPDISCUZ_XPATH = etree.XPath("//div[" + _HAS_CLASS.format("wc-comment") + "]")
_DISQUS_XPATH = etree.XPath(
    "//*[@id='disqus_thread' or @id='discourse-comments' or contains(@class, 'discourse-comments')]"
    "//*[(self::li or self::div or self::article) and ("
    + " or ".join(_HAS_CLASS.format(c) for c in ("post", "topic-post", "crawler-post", "comment"))
    + ")]"
)

# Class tests inside a candidate comment block can ignore case: "CommentAuthorName" and
# "cssCommentText" (camel-cased class names) then match like "comment-author" and
# "comment-text". See _Selectors for when.
_LC_CLASS = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"


def _ci(xpath: str) -> str:
    """``xpath`` with every ``contains(@class, 'lower-case word')`` made case-insensitive."""
    return xpath.replace("contains(@class, ", f"contains({_LC_CLASS}, ")


class _Selectors:
    """XPaths in two builds: as written, and with case-insensitive class tests.

    The case-insensitive build costs a translate() per word per element, so it is used only
    for a comment block whose class names have capitals at all (see `_has_capitals`).
    """

    def __init__(self, xpaths: tuple[str, ...]) -> None:
        self.exact = tuple(etree.XPath(x) for x in xpaths)
        self.any_case = tuple(etree.XPath(_ci(x)) for x in xpaths)

    def __call__(self, any_case: bool) -> tuple[etree.XPath, ...]:
        return self.any_case if any_case else self.exact


_CAPITAL_CLASS_XPATH = etree.XPath(
    "boolean(descendant-or-self::*[@class != " + _LC_CLASS + "])", smart_strings=False
)


def _has_capitals(el: HtmlElement) -> bool:
    """Some class name in or under ``el`` has a capital letter ("cssCommentText")."""
    return bool(_CAPITAL_CLASS_XPATH(el))


_AUTHOR_SELECTORS = _Selectors(
    (
        ".//*[@itemprop='author']//*[@itemprop='name']",
        ".//*[@itemprop='author']",
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]",
        ".//*[contains(@class, 'comment-author') or contains(@class, 'comment__author')"
        " or contains(@class, 'comment_author') or contains(@class, 'commentauthor')]",
        # "autor" (de, pl, es, pt; it "autore"), "auteur" (fr)
        ".//*[contains(@class, 'author') or contains(@class, 'autor') or contains(@class, 'auteur')"
        " or contains(@class, 'username') or contains(@class, 'user-name')"
        " or contains(@class, 'byline') or contains(@class, 'creator') or contains(@class, 'poster')"
        " or contains(@class, 'nick') or contains(@class, 'pseudo')]",
        ".//cite",
        # WordPress's comment author link (get_comment_author_link), also in custom themes
        ".//a[contains(@rel, 'external')][contains(@class, 'url')]",
        ".//*[contains(@class, 'name') or contains(@class, 'user')]",
    )
)
_DATE_SELECTORS = _Selectors(
    (
        ".//*[@itemprop='dateCreated' or @itemprop='datePublished' or @itemprop='commentTime' or @itemprop='dateModified']",
        ".//time",
        ".//*[contains(@class, 'comment-metadata') or contains(@class, 'commentmetadata')"
        " or contains(@class, 'comment-date') or contains(@class, 'comment__time') or contains(@class, 'comment-time')]",
        ".//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'meta')"
        " or contains(@class, 'submitted')]",
    )
)
_TEXT_SELECTORS = _Selectors(
    (
        ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='articleBody']",
        ".//*[contains(@class, 'comment-content') or contains(@class, 'comment__content') or contains(@class, 'comment-text')"
        " or contains(@class, 'comment_text') or contains(@class, 'commenttext') or contains(@class, 'comment-body__content')"
        " or contains(@class, 'field--name-comment-body') or contains(@class, 'post-message')"
        " or contains(@class, 'comment-entry') or contains(@class, 'cooked')]",
        ".//*[contains(@class, 'content') or contains(@class, 'message') or contains(@class, 'text')"
        " or contains(@class, 'body')]",
    )
)
# parts of a comment block that are not its text: class words (any case), itemprops, tags
_META_CLASS_WORDS = (
    "comment-meta",
    "commentmetadata",
    "comment__meta",
    "post-meta",
    "author",
    "autor",
    "auteur",
    "reply",
    "comment-footer",
    "comment-actions",
    "links",
    "vcard",
    "avatar",
    "byline",
    "submitted",
    "permalink",
    "comment-date",
)
_META_ITEMPROPS = frozenset(("author", "dateCreated", "datePublished"))
_META_TAGS = frozenset(("footer", "header", "time", "cite", "h3", "h4"))


def _meta_nodes(root: HtmlElement) -> list[HtmlElement]:
    """Descendants of ``root`` (document order) that hold a comment's metadata, not its text.

    Python rather than XPath: a case-insensitive class test in XPath needs a translate()
    per word per element, which cost more than the rest of comment extraction.
    """
    out = []
    for node in root.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        if node.tag in _META_TAGS or node.get("itemprop") in _META_ITEMPROPS:
            out.append(node)
            continue
        cls = node.get("class")
        if cls and any(word in cls.lower() for word in _META_CLASS_WORDS):
            out.append(node)
    return out


_PERMALINK_XPATH = etree.XPath(
    _ci(
        ".//a[@href][contains(@href, '#comment') or contains(@href, '#c') or contains(@href, 'comment-')"
        " or contains(@class, 'permalink') or @rel='bookmark' or @itemprop='url' or contains(@href, '#post')]"
    )
)
_SAYS_RE = re.compile(
    r"\s*(says|sagt|dit|a dit|dice|dijo|disse|schreibt|wrote|schrieb|zegt|scrive|napisał|napisala)\s*:?\s*$",
    re.I,
)
# lines of a comment block that are controls or labels, not what the reader wrote
_COMMENT_NOISE_RE = re.compile(
    r"^(?:\d+|reply|replies|antworten|antwort|répondre|repondre|responder|rispondi|odpowiedz|beantwoorden|"
    r"like|likes|\d+ likes?|gefällt mir|j'aime|me gusta|melden|report|report abuse|flag|permalink|quote|zitieren|"
    r"kommentar von|comment by|says:?|sagt:?|edit|bearbeiten|log in to reply|zum antworten anmelden)[\s.:!]*$"
)


def clean_comment_text(text: str) -> str:
    """Drop control/label lines (Reply, Like, counters) from a comment's text."""
    paragraphs = []
    for para in text.split("\n\n"):
        kept = [
            line for line in para.split("\n") if not _COMMENT_NOISE_RE.match(line.strip().lower())
        ]
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)


_BY_RE = re.compile(r"^(by|von|par|por|di)\s+", re.I)
_COMMENT_ID_RE = re.compile(r"(?:^|[-_])(?:li-)?(?:comment|c|post)[-_]?(\d+)$", re.I)


class _DomFamily:
    """Turns a set of comment elements into Comments with threading from the DOM structure."""

    def __init__(self, elements: list[HtmlElement], url: str, *, strict: bool = True) -> None:
        self.url = url
        # strict: a block needs an author or a date to count as a comment
        self.strict = strict
        # keep document order, drop duplicates
        seen: set[HtmlElement] = set()
        self.elements = []
        for el in elements:
            if el not in seen:
                seen.add(el)
                self.elements.append(el)
        self.members = set(self.elements)
        self._any_case: dict[HtmlElement, bool] = {}

    def any_case(self, el: HtmlElement) -> bool:
        """Whether ``el``'s class names need case-insensitive tests (computed once)."""
        known = self._any_case.get(el)
        if known is None:
            known = self._any_case[el] = _has_capitals(el)
        return known

    def owner(self, node: HtmlElement) -> HtmlElement | None:
        """Nearest comment element containing ``node`` (exclusive of node itself)."""
        parent = node.getparent()
        while parent is not None:
            if parent in self.members:
                return parent
            parent = parent.getparent()
        return None

    def own(self, el: HtmlElement, nodes: Iterable[HtmlElement]) -> Iterator[HtmlElement]:
        """Nodes that belong to ``el`` and not to a comment nested in it."""
        for node in nodes:
            if node not in self.members and self.owner(node) is el:
                yield node

    def parent_of(self, el: HtmlElement) -> HtmlElement | None:
        owner = self.owner(el)
        # Drupal-style: replies sit in a div.indented right after their parent
        node = el.getparent()
        while node is not None and node is not owner:
            cls = _classes(node)
            if cls & {
                "indented",
                "children",
                "replies",
                "comment-replies",
                "comments-replies",
                "sub-comments",
            }:
                prev = node.getprevious()
                while (
                    prev is not None and (prev not in self.members) and _tag(prev) in ("a", "span")
                ):
                    prev = prev.getprevious()
                if prev is not None and prev in self.members:
                    return prev
                break
            node = node.getparent()
        return owner

    def raw_id(self, el: HtmlElement) -> str | None:
        """The id attribute the page uses for this comment (the permalink anchor)."""
        for value in (el.get("id"), el.get("data-comment-id"), el.get("data-id"), el.get("itemid")):
            if value:
                return value[3:] if value.startswith("li-") else value
        prev = el.getprevious()
        if prev is not None and _tag(prev) == "a" and (prev.get("id") or prev.get("name")):
            return prev.get("id") or prev.get("name")
        for anchor in self.own(el, el.iterfind(".//*[@id]")):
            value = anchor.get("id") or ""
            if _COMMENT_ID_RE.search(value):
                return value
        return None

    def author(self, el: HtmlElement) -> tuple[str | None, HtmlElement | None]:
        for selector in _AUTHOR_SELECTORS(self.any_case(el)):
            for node in self.own(el, selector(el)):
                name = node.get("content") or _clean_inline(node.text_content())
                name = _BY_RE.sub("", _SAYS_RE.sub("", name)).strip(" :-–|")
                if name and len(name) <= 80:
                    return name, node
        return None, None

    def published(self, el: HtmlElement) -> tuple[str | None, HtmlElement | None]:
        for selector in _DATE_SELECTORS(self.any_case(el)):
            for node in self.own(el, selector(el)):
                for value in (
                    node.get("datetime"),
                    node.get("content"),
                    node.get("title"),
                    node.text_content(),
                ):
                    date = normalize_date(value) if value else None
                    if date:
                        return date, node
        # a bare date-like line in the block (generic markup)
        for node in self.own(el, el.iter("span", "small", "div", "p", "a", "em")):
            text = " ".join(node.text_content().split())
            if len(text) <= 40:
                date = parse_text_date(text)
                if date:
                    return date, node
        return None, None

    def text(self, el: HtmlElement, skip: set[HtmlElement]) -> str:
        nested = {m for m in self.members if m is not el}
        for selector in _TEXT_SELECTORS(self.any_case(el)):
            for node in self.own(el, selector(el)):
                if node in skip or any(node in s.iterancestors() for s in skip if s is not None):
                    continue
                text = block_text(
                    node, exclude=nested | skip | set(self.own(el, _meta_nodes(node)))
                )
                if len(text) >= 2:
                    return text
        exclude = nested | skip | set(self.own(el, _meta_nodes(el)))
        # replies containers are not part of the text either
        exclude |= {
            n
            for n in el.iter()
            if _classes(n) & {"children", "indented", "replies", "comment-replies"} and n is not el
        }
        return block_text(el, exclude=exclude)

    def permalink(self, el: HtmlElement, cid: str | None) -> str | None:
        for node in self.own(el, _PERMALINK_XPATH(el)):
            href = node.get("href") or ""
            if (
                (cid and cid in href)
                or "comment" in href.lower()
                or "permalink" in (node.get("class") or "")
            ):
                return urljoin(self.url, href)
        if cid:
            return f"{self.url.split('#', 1)[0]}#{cid}"
        return None

    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        ids: dict[HtmlElement, str] = {}
        for index, el in enumerate(self.elements, start=1):
            anchor = self.raw_id(el)
            cid = short_id(anchor)
            if self.strict and _is_form_like(el):
                continue
            author, author_node = self.author(el)
            published, date_node = self.published(el)
            text = self.text(el, {n for n in (author_node, date_node) if n is not None})
            if not text:
                continue
            if self.strict and not author and not published:
                continue
            ids[el] = cid or f"c{index}"
            parent = self.parent_of(el)
            # skip parents that had no text (deleted comments) up to the next kept ancestor
            while parent is not None and parent not in ids:
                parent = self.parent_of(parent)
            out.append(
                Comment(
                    id=ids[el],
                    parent_id=ids.get(parent) if parent is not None else None,
                    author=author,
                    published=published,
                    text=text,
                    permalink=self.permalink(el, anchor),
                )
            )
        return out

    def section_nodes(self) -> list[HtmlElement]:
        """Outermost ancestors of the comments that still only hold the comment section."""
        roots = [el for el in self.elements if self.owner(el) is None]
        out: list[HtmlElement] = []
        for root in roots:
            node = root
            parent = node.getparent()
            size = len(node.text_content())
            while (
                parent is not None
                and _looks_like_comment_section(parent)
                and _tag(parent) not in ("body", "html")
            ):
                # a wrapper that adds much more than a heading and a form is not the
                # comment section (class="entry has-comments" around the article)
                parent_size = len(parent.text_content())
                if parent_size > size + 1500:
                    break
                node, size = parent, parent_size
                parent = node.getparent()
            if all(node is not o and node not in o.iterdescendants() for o in out):
                out = [o for o in out if o not in node.iterdescendants()]
                out.append(node)
        return out


_FORM_CONTROL_XPATH = etree.XPath(
    "self::label | .//label | .//textarea | .//input[not(@type='hidden')] | .//select | self::textarea"
)
_WIDGET_RE = re.compile(r"recent|widget|sidebar|latest|popular|most-|footer|teaser|related")


def _is_form_like(el: HtmlElement) -> bool:
    """Comment forms and their fields are not comments (a comment may carry a hidden reply form)."""
    if any(_tag(anc) == "form" for anc in el.iterancestors()):
        return True
    if not _FORM_CONTROL_XPATH(el):
        return False
    written = [
        p
        for p in el.iter("p", "div")
        if len((p.text or "").strip()) > 20 and not _FORM_CONTROL_XPATH(p)
    ]
    return not written


def _in_widget(el: HtmlElement) -> bool:
    """Inside a sidebar/footer widget such as WordPress's "recent comments" list."""
    inside_section = False
    for depth, node in enumerate((el, *el.iterancestors())):
        tag = _tag(node)
        if tag in ("aside", "nav", "footer"):
            return True
        # page-level classes ("has-sidebar" on <body>) say nothing about this block, nor
        # does the layout around an enclosing comment area ("allCommentsArea" inside a
        # "cssSimilarTeaserArea" row)
        if inside_section or depth > 3 or tag in ("body", "html"):
            continue
        if _WIDGET_RE.search(f"{node.get('id') or ''} {node.get('class') or ''}".lower()):
            return True
        if depth and _SECTION_RE.search(_section_ident(node)):
            inside_section = True
    return False


# matched against lower-cased class/id strings (re.I alternation is slow on every element)
_SECTION_RE = re.compile(
    r"(^|[-_ ])(comments?|kommentare?|commentaires?|comentarios?|commenti|komentarze?|kommentarer|"
    r"reacties|reactions|discussion|responses|replies)"
    # run-together names: usercomments, allcomments, leserkommentare
    r"|[a-z](comments|kommentare)\b"
)


_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


# what every _SECTION_RE match contains ("comment" also covers "commentaire", "comentario"
# does not: it is listed)
_SECTION_WORDS_RE = re.compile(
    "comment|kommentar|komentarz|comentario|reacties|reactions|discussion|responses|replies"
)


def _section_ident(el: HtmlElement) -> str:
    """id and class, lower-cased, camel-case words split: "ShareBarCommentsList" counts too."""
    return _CAMEL_RE.sub(" ", f"{el.get('id') or ''} {el.get('class') or ''}").lower()


def _looks_like_comment_section(el: HtmlElement) -> bool:
    raw = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    # most elements: none of the words at all, so no need to split camel case
    if not _SECTION_WORDS_RE.search(raw) or not _SECTION_RE.search(_section_ident(el)):
        return False
    # a section wrapper never holds the article itself
    return el.find(".//h1") is None and not el.xpath(".//*[@itemprop='articleBody']")


def _filter_family(
    elements: list[HtmlElement], exclude_pingbacks: bool = True
) -> list[HtmlElement]:
    out = []
    for el in elements:
        cls = _classes(el)
        if exclude_pingbacks and cls & {"pingback", "trackback"}:
            continue
        out.append(el)
    return out


def _wordpress(tree: HtmlElement) -> list[HtmlElement]:
    items: list[HtmlElement] = []
    for lst in _WP_LIST_XPATH(tree):
        items.extend(_WP_ITEM_XPATH(lst))
    return _filter_family(items)


def _drupal(tree: HtmlElement) -> list[HtmlElement]:
    out = []
    for el in _DRUPAL_XPATH(tree):
        # must look like a comment: some text beyond its metadata and not an article wrapper
        if el.find(".//h1") is not None or el.xpath(".//*[@itemprop='articleBody']"):
            continue
        out.append(el)
    return _filter_family(out)


_IDENT_XPATH = etree.XPath("//*[@class or @id]")


def _generic(tree: HtmlElement) -> list[HtmlElement]:
    """Repeated blocks with an author inside containers named like a comment section."""
    best: list[HtmlElement] = []
    for container in _IDENT_XPATH(tree):
        # cheap word test first: most elements' names have none of the words
        if not _SECTION_WORDS_RE.search(
            f"{container.get('id') or ''} {container.get('class') or ''}".lower()
        ):
            continue
        if not isinstance(container.tag, str) or _tag(container) in (
            "body",
            "html",
            "head",
            "form",
            "script",
        ):
            continue
        if not _looks_like_comment_section(container) or _in_widget(container):
            continue
        blocks = _repeated_blocks(container)
        if len(blocks) > len(best):
            best = blocks
    return best


def _single_comment(el: HtmlElement) -> bool:
    """A list item, an <article> or an element with a comment id: one comment, not a wrapper."""
    return _tag(el) in ("li", "article") or bool(_COMMENT_ID_RE.search(el.get("id") or ""))


def _repeated_blocks(container: HtmlElement) -> list[HtmlElement]:
    # descend through single-child wrappers and lists, but not into the one comment of
    # a list that has only one (<ul class="comment-items"><li id="comment-1446">)
    node = container
    for _ in range(4):
        children = [c for c in node if isinstance(c.tag, str) and _tag(c) not in _SKIP_TAGS]
        if len(children) == 1 and not _single_comment(children[0]):
            node = children[0]
        else:
            break
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for child in node:
        if (
            not isinstance(child.tag, str)
            or _tag(child) in _SKIP_TAGS
            # a list is what holds comments, never one comment
            or _tag(child) in ("h2", "h3", "h4", "a", "ul", "ol")
        ):
            continue
        key = (_tag(child), " ".join(sorted(c for c in _classes(child) if not re.search(r"\d", c))))
        groups.setdefault(key, []).append(child)
    best: list[HtmlElement] = []
    for blocks in groups.values():
        with_author = [
            b
            for b in blocks
            if _has_author(b)
            and len(_clean_inline(b.text_content())) >= 15
            and not _FORM_CONTROL_XPATH(b)
        ]
        if len(with_author) >= max(1, len(blocks) // 2) and len(with_author) > len(best):
            best = with_author
    # nested replies inside the blocks
    nested: list[HtmlElement] = []
    for block in best:
        for sub in block.iter():
            if sub is block or not isinstance(sub.tag, str):
                continue
            if _classes(sub) & {"children", "replies", "indented", "comment-replies"}:
                nested.extend(_repeated_blocks(sub))
    return sorted(best + nested, key=_doc_order_key())


def _doc_order_key() -> Any:
    order: dict[HtmlElement, int] = {}

    def key(el: HtmlElement) -> int:
        if not order:
            for i, node in enumerate(el.getroottree().iter()):
                order[node] = i
        return order.get(el, 0)

    return key


_AUTHOR_HINT_XPATH = etree.XPath(
    _ci(
        ".//*[@itemprop='author' or contains(@class, 'author') or contains(@class, 'autor')"
        " or contains(@class, 'auteur') or contains(@class, 'user')"
        " or contains(@class, 'name') or contains(@class, 'fn') or contains(@class, 'byline')"
        " or contains(@class, 'nick') or contains(@class, 'pseudo') or contains(@class, 'poster')"
        " or self::cite or self::a[contains(@rel, 'external')][contains(@class, 'url')]]"
    )
)


def _has_author(el: HtmlElement) -> bool:
    return bool(_AUTHOR_HINT_XPATH(el))


# ---------------------------------------------------------------------------
# status signals

# names only comment widgets use
_JS_WIDGET_RE = re.compile(
    r"disqus|DiscourseEmbed|discourse-embed|commento|hyvor-talk|hyvor\.com|utteranc\.es|giscus|remark42|cusdis|"
    r"graphcomment|intensedebate|fb-comments|facebook\.com/plugins/comments|coralproject|coral-embed",
    re.I,
)
# generic embed names: only with the word "comment" nearby
_JS_WEAK_WIDGET_RE = re.compile(
    r"\bisso\b|vuukle|spot\.im|openweb|viafoura|livefyre|coral|talk\.js", re.I
)
_JS_CONTAINER_XPATH = etree.XPath(
    # the first predicate spares the string tests on the many elements without these
    "//*[@id or @class or @data-spotim-module][@id='disqus_thread' or @id='discourse-comments' or @id='coral_thread' or @id='commento'"
    " or @id='hyvor-talk-view' or @id='isso-thread' or @id='remark42' or @id='cusdis_thread'"
    " or contains(@class, 'fb-comments') or contains(@class, 'giscus') or contains(@class, 'utterances')"
    " or contains(@class, 'disqus') or contains(@class, 'vuukle') or contains(@id, 'spot-im')"
    " or @data-spotim-module]"
)
_CLOSED_RE = re.compile(
    r"comments? (are|is) (now )?closed|commenting (is )?(closed|disabled)|comments? (have been|has been) closed|"
    r"closed for comments|kommentare (sind )?geschlossen|kommentarfunktion (ist )?(geschlossen|deaktiviert)|"
    r"les commentaires sont fermés|commentaires fermés|los comentarios están cerrados|comentarios cerrados|"
    r"i commenti sono chiusi|commenti chiusi"
)
# class names that mark a closed comment section (case-sensitive, as in _CLOSED_XPATH)
_CLOSED_CLASSES = (
    "comments-closed",
    "no-comments",
    "nocomments",
    "comments-disabled",
    "comment-closed",
)
_CLOSED_XPATH = etree.XPath(
    "//*[@class][contains(@class, 'comments-closed') or contains(@class, 'no-comments') or contains(@class, 'nocomments')"
    " or contains(@class, 'comments-disabled') or contains(@class, 'comment-closed')]"
)
_FORM_XPATH = etree.XPath(
    "//*[@id or @class][@id='respond' or @id='commentform' or contains(@class, 'comment-form') or contains(@class, 'comment-respond')"
    " or contains(@id, 'comment-form') or contains(@id, 'comments-form') or contains(@class, 'comments-area')]"
)


# substrings one of which any "closed" signal contains
_CLOSED_WORDS = (
    "closed",
    "geschlossen",
    "deaktiviert",
    "fermé",
    "cerrados",
    "chiusi",
    "disabled",
    "no-comments",
    "nocomments",
)
# container names of JS widgets (see _JS_CONTAINER_XPATH), for the source prefilter
_JS_CONTAINER_WORDS = (
    "discourse-comments",
    # the weaker names of _JS_WEAK_WIDGET_RE
    "coral",
    "isso",
    "openweb",
    "viafoura",
    "livefyre",
    "talk.js",
    "spot.im",
    "coral_thread",
    "isso-thread",
    "spot-im",
    "spotim",
    "vuukle",
    "utterances",
    "cusdis",
)


def _closed(tree: HtmlElement, attrs: str | None = None) -> bool:
    """A "comments are closed" marker: by class name, or short text saying so.

    ``attrs`` (the page's class/id values, lower-cased) lets the class search be skipped
    when none of those names occurs at all.
    """
    for node in _CLOSED_XPATH(tree) if _has(attrs, *_CLOSED_CLASSES) else ():
        text = _clean_inline(node.text_content())
        if not text or _CLOSED_RE.search(text.lower()):
            return True
    # short text directly in a block (not a sentence in a paragraph of the article)
    for node in tree.iter("p", "div", "span", "h3", "h4", "em", "strong", "li"):
        text = node.text
        if text and len(text) < 120 and _CLOSED_RE.search(text.lower()):
            return True
    return False


_JS_WIDGET_WORDS = (
    "disqus",
    "discourseembed",
    "discourse-embed",
    "commento",
    "hyvor-talk",
    "hyvor.com",
    "utteranc.es",
    "giscus",
    "remark42",
    "cusdis",
    "graphcomment",
    "intensedebate",
    "fb-comments",
    "facebook.com/plugins/comments",
    "coralproject",
    "coral-embed",
)


def _js_widget(tree: HtmlElement) -> bool:
    if _JS_CONTAINER_XPATH(tree):
        return True
    chunks = []
    for script in tree.iter("script"):
        chunks.append(script.get("src") or "")
        body = script.text or ""
        if len(body) < 20000:
            chunks.append(body)
    scripts = "\n".join(chunks).lower()
    if any(word in scripts for word in _JS_WIDGET_WORDS):
        return True
    # generic embed names count only in a script that also talks about comments
    if "comment" in scripts and _JS_WEAK_WIDGET_RE.search(scripts):
        return any(
            _JS_WEAK_WIDGET_RE.search(chunk) and "comment" in chunk.lower()
            for chunk in chunks
            if chunk
        )
    return False


# ---------------------------------------------------------------------------
# entry point


def _has(text: str | None, *words: str) -> bool:
    """Cheap substring check; without a text to check every check passes."""
    return text is None or any(word in text for word in words)


_ATTRS_XPATH = etree.XPath("//@id | //@class | //@itemtype | //@itemprop", smart_strings=False)


def page_attributes(tree: HtmlElement) -> str:
    """The page's id, class, itemtype and itemprop values, lower-cased, in one string.

    A few KB that tell which markup can be present at all: a word missing here spares a
    walk over the whole tree (XPath's ``contains()`` is case-sensitive, so this is a
    superset test).
    """
    return " ".join(_ATTRS_XPATH(tree)).lower()


# OpenWeb/Spot.IM mounts on a data attribute, not on a class or id
_SPOTIM_XPATH = etree.XPath("boolean(//*[@data-spotim-module])")
_SCRIPTS_XPATH = etree.XPath("//script/@src | //script/text()", smart_strings=False)


def extract_comments(
    tree: HtmlElement,
    url: str,
    *,
    ld_objects: list[dict[str, Any]] | None = None,
    source: str | None = None,
    attrs: str | None = None,
) -> CommentResult:
    """Find reader comments on a page, keep their threading, and say how the section looks.

    Reads the tree only; the caller prunes ``result.nodes`` before main-text extraction.
    Markup families whose tell-tale class/id names are absent are skipped without walking
    the tree; ``source`` (the page's HTML in lower case, if the caller has it) does the same
    for the "comments are closed" wording.
    """
    if ld_objects is None:
        ld_objects = jsonld_objects(tree)
    candidates: list[tuple[str, list[Comment], list[HtmlElement]]] = []
    if attrs is None:
        attrs = page_attributes(tree)

    ld_comments = _jsonld_comments(ld_objects, url)
    if ld_comments:
        candidates.append(("json-ld", ld_comments, []))
    families: tuple[tuple[str, tuple[str, ...], Any], ...] = (
        (
            "microdata",
            ("schema.org/comment", "schema.org/usercomments", "comment"),
            lambda t: list(_MICRODATA_XPATH(t)),
        ),
        ("wordpress", ("commentlist", "comment-list", "comments-list"), _wordpress),
        ("wpdiscuz", ("wc-comment",), lambda t: list(_WPDISCUZ_XPATH(t))),
        ("drupal", (), _drupal),
        (
            "disqus-discourse",
            ("disqus_thread", "discourse-comments"),
            lambda t: list(_DISQUS_XPATH(t)),
        ),
    )
    tokens = set(attrs.split())
    for method, words, finder in families:
        if method == "drupal":
            # whole class tokens, as _DRUPAL_XPATH matches them
            if not tokens & {"comment", "js-comment", "comment-item"}:
                continue
        elif not _has(attrs, *words):
            continue
        try:
            elements = finder(tree)
        except (etree.XPathError, ValueError) as err:  # pragma: no cover - defensive
            logger.debug("comment family %s failed: %s", method, err)
            continue
        if not elements:
            continue
        family = _DomFamily(elements, url, strict=method != "microdata")
        comments = family.comments()
        if comments:
            candidates.append((method, comments, family.section_nodes()))
    if not any(method != "json-ld" for method, _, _ in candidates) and _SECTION_WORDS_RE.search(
        attrs
    ):
        elements = _generic(tree)
        if elements:
            family = _DomFamily(elements, url)
            comments = family.comments()
            if comments:
                candidates.append(("generic", comments, family.section_nodes()))

    result = CommentResult()
    if candidates:
        # the family that sees most comments wins; earlier (more structured) on ties
        method, comments, nodes = max(candidates, key=lambda c: len(c[1]))
        result.method, result.comments = method, comments
        # prune every family's nodes: comment markup never reaches the main text
        result.nodes = [n for _, _, ns in candidates for n in ns]
        if method == "json-ld":
            result.nodes.extend(nodes)
        result.status = STATUS_OPEN
        return result

    forms = (
        list(_FORM_XPATH(tree))
        if _has(attrs, "respond", "commentform", "comment-form", "comments-form", "comments-area")
        else []
    )
    if (
        _has(attrs, *_JS_CONTAINER_WORDS, *_JS_WIDGET_WORDS)
        or _SPOTIM_XPATH(tree)
        or _has(" ".join(_SCRIPTS_XPATH(tree)).lower(), *_JS_WIDGET_WORDS, *_JS_CONTAINER_WORDS)
    ):
        if _js_widget(tree):
            result.status = STATUS_NOT_IN_HTML
    if result.status == STATUS_NONE:
        if _has(source, *_CLOSED_WORDS) and _closed(tree, attrs):
            result.status = STATUS_CLOSED
        elif forms:
            result.status = STATUS_OPEN
    result.nodes = forms
    return result


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
        if not para or _COMMENT_NOISE_RE.match(para.lower()):
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
