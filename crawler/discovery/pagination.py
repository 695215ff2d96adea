"""Continuation pages of an article: its text continued on further pages, its comment pages.

A continuation link is a link on the article's own host whose URL is the article's URL
plus a page marker (``?page=2``, ``/2/``, ``/page/2``, ``?cpage=2``, ``/comment-page-2/``).
Everything else a page links to with ``rel=next`` (the next article, a listing's next
page, a tag page) differs from the article's URL by more than a marker and is not one.
The test is a few string operations per link whose href holds a digit, on the document
the spider parsed anyway.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.discovery.articles import is_listing_url
from crawler.discovery.links import document_base
from crawler.discovery.urls import canonicalize_url, host_of

__all__ = [
    "COMMENTS",
    "TEXT",
    "Continuation",
    "PageMarker",
    "continuation_links",
    "continuation_of",
    "may_have_continuations",
    "page_marker",
]

#: A page continuing the article's text.
TEXT = "text"
#: A further page of the article's reader comments.
COMMENTS = "comments"

# Query parameters numbering an article's pages, and its comment pages. ``p`` is not one:
# WordPress uses ``?p=123`` for the post id.
_TEXT_PARAMS = frozenset({"page", "pg", "pagenum", "seite", "pagina", "pag"})
_COMMENT_PARAMS = frozenset(
    {"cpage", "comment-page", "comment_page", "comments_page", "commentpage", "comments-page"}
)
_PATH_MARKER = re.compile(
    r"(?:/comment-page-(?P<comments>\d{1,4})"
    r"|/(?:page|seite|pagina)[-/]?(?P<page>\d{1,4})"
    r"|/(?P<bare>\d{1,3}))/?$",
    re.IGNORECASE,
)
#: A bare ``/N/`` after an article's URL is a page only for small N (not a numeric id).
_MAX_BARE_NUMBER = 100
# what every page marker looks like, tested on the raw href before any URL parsing
_MARKER_HINT = re.compile(r"(?:pag|pg|seite)[\w-]*[=/-]?\d|/\d{1,4}/?(?:$|[?#])", re.IGNORECASE)
#: longer hrefs are data: URIs and tracking redirects, never a page link
_MAX_HREF = 2048
# a link relative to the page itself (?page=2, 2/, page/2): not "/x" or "http://..."
_RELATIVE = re.compile(r"^\s*(?:\?|\.|[^/?#:]+(?:/|\?|$))")
_COMMENT_WORDS = re.compile(
    r"\b(?:older|newer|previous|next|more|earlier|later)\s+comments?\b|comments?\s+page",
    re.IGNORECASE,
)
_NEXT_WORDS = re.compile(
    r"^\s*(?:\d{1,3}|next( page)?|continue|continued|weiter|suivant|siguiente|page \d+)\W*$",
    re.IGNORECASE,
)
_BACK_WORDS = re.compile(r"^\W*(?:1|prev|previous|back|first)\b", re.IGNORECASE)
_COMMENT_CONTAINER = re.compile(r"comment|discussion|respond|replies", re.IGNORECASE)


@dataclass(frozen=True)
class PageMarker:
    """What a page URL's marker says: the URL without it, which kind, and the number."""

    base: str
    kind: str
    number: int
    bare: bool = False  # a bare /N/ path segment, the weakest marker


@dataclass(frozen=True)
class Continuation:
    """One continuation link of an article, ordered by ``(kind, number)``."""

    url: str
    kind: str
    number: int


def _key(url: str) -> str:
    """``url`` for comparison: no fragment, no trailing slash."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), parts.query, ""))


def page_marker(url: str) -> PageMarker | None:
    """The page marker of a canonical URL (query parameter first, then path), or None."""
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        for index, (name, value) in enumerate(pairs):
            lowered = name.lower()
            if not value.isdigit() or len(value) > 4:
                continue
            if lowered in _TEXT_PARAMS or lowered in _COMMENT_PARAMS:
                rest = urlencode(pairs[:index] + pairs[index + 1 :])
                base = urlunsplit((parts.scheme, parts.netloc, parts.path, rest, ""))
                kind = COMMENTS if lowered in _COMMENT_PARAMS else TEXT
                return PageMarker(base, kind, int(value))
    match = _PATH_MARKER.search(parts.path)
    if match is None:
        return None
    path = parts.path[: match.start()] or "/"
    if path == "/":
        return None  # /2/ or /page/2/ of the home page: a listing
    if match["comments"]:
        kind, number, bare = COMMENTS, int(match["comments"]), False
    elif match["page"]:
        kind, number, bare = TEXT, int(match["page"]), False
    else:
        kind, number, bare = TEXT, int(match["bare"]), True
        if number > _MAX_BARE_NUMBER:
            return None
    base = urlunsplit((parts.scheme, parts.netloc, path + "/", parts.query, ""))
    return PageMarker(base, kind, number, bare)


def _in_comment_section(elem: etree._Element) -> bool:
    for node in elem.iterancestors():
        names = f"{node.get('id') or ''} {node.get('class') or ''}"
        if names.strip() and _COMMENT_CONTAINER.search(names):
            return True
    return False


def _link_text(elem: etree._Element) -> str:
    try:
        return " ".join("".join(elem.itertext()).split())
    except ValueError:  # pragma: no cover - lxml on a malformed node
        return ""


def continuation_links(
    doc: etree._Element | None, url: str, article_url: str | None = None
) -> list[Continuation]:
    """The continuation links on ``url``'s document, text pages first, in page order.

    ``article_url`` is the article's first page when ``url`` is a continuation page
    itself (``url`` otherwise). Links to other articles, listings and tag pages are
    never continuation links, and neither are pages of a listing.
    """
    first = article_url or url
    if doc is None or is_listing_url(first):
        return []
    article_key = _key(canonicalize_url(first) or first)
    here = {article_key, _key(canonicalize_url(url) or url)}
    host = host_of(first)
    article_path = urlsplit(first).path.rstrip("/")
    if not article_path:
        return []  # the home page's further pages are a listing's
    base = ""
    found: dict[str, Continuation] = {}
    for elem in doc.iter("a", "link"):
        href = elem.get("href")
        # plain substring tests first: most links stop here, and a data: URI may be long
        if not href or len(href) > _MAX_HREF:
            continue
        if article_path not in href and not _RELATIVE.match(href):
            continue  # another path, written out
        if not _MARKER_HINT.search(href):
            continue  # no page number in it
        base = base or document_base(doc, url)
        target = canonicalize_url(href, base)
        if not target or host_of(target) != host or _key(target) in here:
            continue
        marker = page_marker(target)
        if marker is None or _key(marker.base) != article_key:
            continue
        rel = set((elem.get("rel") or "").lower().split())
        kind = marker.kind
        text = _link_text(elem) if elem.tag == "a" else ""
        if kind == TEXT and (_COMMENT_WORDS.search(text) or _in_comment_section(elem)):
            kind = COMMENTS  # Drupal numbers comment pages ?page=1, ?page=2
        if kind == TEXT and marker.number < 2:
            continue  # page 1 is the article itself
        if marker.bare and kind == TEXT and not (rel & {"next", "prev"} or _NEXT_WORDS.match(text)):
            continue  # /story/7/ needs a pager's signal to be page 7
        if target not in found:
            found[target] = Continuation(target, kind, marker.number)
    return sorted(found.values(), key=lambda c: (c.kind != TEXT, c.number, c.url))


# every (lower-case) href value in the raw document, of any tag: a superset of what lxml
# hands continuation_links; case-sensitive, so the regex engine can search for "href"
# Only values with a digit: every page marker has one (and so does an entity).
_RAW_HREF = re.compile(
    rb"""href\s*=\s*(?:"([^"\d]*\d[^"]*)"|'([^'\d]*\d[^']*)'|([^\s"'>\d]*\d[^\s"'>]*))"""
)
_UPPER_HREF = re.compile(rb"H[Rr][Ee][Ff]")


def may_have_continuations(body: bytes, url: str) -> bool:
    """False only where no link of the raw document can be a continuation link of ``url``.

    ``continuation_links``' own first tests (the article's path or a relative link, and
    a page number in it) on every ``href`` of the bytes: when none passes, the spider
    need not parse the body of an article whose links it does not follow.
    """
    if is_listing_url(url):
        return False
    article_path = urlsplit(url).path.rstrip("/")
    if not article_path:
        return False
    if _UPPER_HREF.search(body):
        return True  # not scanned: the caller parses the document
    for dq, sq, uq in _RAW_HREF.findall(body):
        href = (dq or sq or uq).decode("utf-8", "replace")
        if "&" in href:
            href = html.unescape(href)
        if (article_path in href or _RELATIVE.match(href)) and _MARKER_HINT.search(href):
            return True
    return False


def continuation_of(doc: etree._Element | None, url: str) -> str | None:
    """The article's first page, if ``url`` is a further page of it, else None.

    A URL with a page marker is a continuation page when its document links back to the
    URL without the marker (rel=prev, a "1" in the pager, rel=canonical): a continuation
    page reached by another path (a section link, another worker) is not an article.
    """
    if doc is None:
        return None
    marker = page_marker(canonicalize_url(url) or url)
    if marker is None or is_listing_url(marker.base):
        return None
    if marker.kind == TEXT and marker.number < 2:
        return None
    wanted = _key(marker.base)
    base_path = urlsplit(marker.base).path.rstrip("/")
    base = document_base(doc, url)
    for elem in doc.iter("a", "link"):
        href = elem.get("href")
        if not href or len(href) > _MAX_HREF:
            continue
        if base_path not in href and not _RELATIVE.match(href):
            continue  # another path, written out: most links stop here
        if _key(canonicalize_url(href, base)) != wanted:
            continue
        if not marker.bare:
            return marker.base
        # /articles/12 linking to /articles/ is an article in a section: a bare number
        # needs the pager's own back link
        rel = set((elem.get("rel") or "").lower().split())
        if rel & {"prev", "canonical", "first"} or _BACK_WORDS.match(_link_text(elem)):
            return marker.base
    return None
