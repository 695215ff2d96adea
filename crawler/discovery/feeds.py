"""Feed parsing: RSS 0.9x/1.0 (RDF)/2.0, Atom 1.0 (and 0.3), CDF and JSON Feed 1.x."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from crawler.discovery.dates import to_utc_iso
from crawler.discovery.urls import join_url
from crawler.discovery.xmlsafe import (
    MAX_DOCUMENT_BYTES,
    check_size,
    localname,
    namespace,
    parse_xml,
    text_of,
)

logger = logging.getLogger(__name__)

#: At most this many entries are taken from one feed (the sitemap protocol's URL cap).
MAX_FEED_ENTRIES = 50_000

ATOM_NS = "http://www.w3.org/2005/Atom"
RSS10_NS = "http://purl.org/rss/1.0/"
DC_NS = "http://purl.org/dc/elements/1.1/"
PODLOVE_NS = "http://podlove.org/simple-chapters"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FeedError(ValueError):
    """The document is not a feed this module understands."""


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: the article URL and what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    author: str | None = None
    language: str | None = None
    #: False for a link the feed mentions beside its items (a Podlove chapter's href):
    #: worth fetching, but not asserted to be an article.
    is_item: bool = True

    def discovery(self) -> dict[str, Any]:
        """The non-empty fields as discovery metadata for the request."""
        return {
            k: v
            for k, v in (
                ("title", self.title),
                ("published", self.published),
                ("modified", self.modified),
                ("author", self.author),
                ("language", self.language),
            )
            if v
        }


@dataclass(frozen=True)
class Feed:
    kind: str  # "rss", "rdf", "atom", "cdf" or "json"
    title: str | None = None
    language: str | None = None
    entries: tuple[FeedEntry, ...] = field(default_factory=tuple)
    truncated: bool = False


def looks_like_feed(body: bytes) -> bool:
    """Cheap sniff: does ``body`` start like a feed document?"""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{"):
        return b"jsonfeed.org" in head or b'"items"' in body[:65536].lower()
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf", b"<channel"))


def parse_feed(body: bytes, url: str) -> Feed:
    """Parse an RSS, Atom or JSON feed; entry URLs are made absolute against ``url``.

    Raises FeedError (a ValueError) for documents that are not feeds, and
    ``UnsafeDocument`` for oversized documents or ones declaring entities.
    """
    check_size(body, MAX_DOCUMENT_BYTES)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return _parse_json_feed(stripped, url)
    try:
        root = parse_xml(body)
    except ValueError as exc:
        if type(exc) is not ValueError:
            raise
        raise FeedError(str(exc)) from exc
    name = localname(root)
    if name == "rss":
        return _parse_rss(root, url)
    if name == "rdf":
        return _parse_rdf(root, url)
    if name == "feed":
        return _parse_atom(root, url)
    if name == "channel":
        return _parse_cdf(root, url)
    raise FeedError(f"root element <{name}> is not a feed")


def _child(elem: etree._Element, *names: str, ns: str | None = None) -> etree._Element | None:
    for child in elem:
        if localname(child) in names and (ns is None or namespace(child) == ns):
            return child
    return None


def _child_text(elem: etree._Element, *names: str, ns: str | None = None) -> str:
    return text_of(_child(elem, *names, ns=ns))


def _abs(href: str, base: str) -> str:
    href = href.strip()
    return join_url(base, href) if href else ""


def _entries_capped(items: list[etree._Element]) -> tuple[list[etree._Element], bool]:
    if len(items) > MAX_FEED_ENTRIES:
        return items[:MAX_FEED_ENTRIES], True
    return items, False


def _rss_item(item: etree._Element, base: str, language: str | None) -> FeedEntry | None:
    # feedburner:origLink is the publisher's own URL behind a FeedBurner redirect.
    link = _child_text(item, "origlink") or _child_text(item, "link", ns="")
    if not link:
        link = _child_text(item, "link")
    if not link:
        guid = _child(item, "guid")
        if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
            link = text_of(guid)
    if not link:
        # RSS 1.0 items name themselves in rdf:about.
        link = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", "")
    if not link:
        return None
    creators = [text_of(c) for c in item if localname(c) == "creator" and namespace(c) == DC_NS]
    author = ", ".join(c for c in creators if c) or _child_text(item, "author")
    published = _child_text(item, "pubdate") or _child_text(item, "date", ns=DC_NS)
    modified = _child_text(item, "updated") or _child_text(item, "modified")
    return FeedEntry(
        url=_abs(link, base),
        title=_child_text(item, "title") or None,
        published=to_utc_iso(published),
        modified=to_utc_iso(modified),
        author=author or None,
        language=_child_text(item, "language", ns=DC_NS) or language,
    )


def _chapter_links(item: etree._Element, base: str) -> list[FeedEntry]:
    """The hrefs of an item's Podlove Simple Chapters (feedparser reads them too)."""
    out = []
    for chapter in item.iter(f"{{{PODLOVE_NS}}}chapter"):
        href = (chapter.get("href") or "").strip()
        if href:
            title = (chapter.get("title") or "").strip() or None
            out.append(FeedEntry(url=_abs(href, base), title=title, is_item=False))
    return out


def _attr(elem: etree._Element, name: str) -> str:
    """An attribute by case-insensitive name (CDF files write HREF, Href and href)."""
    for key, value in elem.attrib.items():
        if isinstance(key, str) and key.lower() == name:
            return str(value).strip()
    return ""


def _parse_cdf(root: etree._Element, url: str) -> Feed:
    """Microsoft's Channel Definition Format: <CHANNEL>s (nested) of <ITEM HREF=...>."""
    items = [e for e in root.iter() if localname(e) == "item" and _attr(e, "href")]
    items, truncated = _entries_capped(items)
    entries = [
        FeedEntry(
            url=_abs(_attr(item, "href"), url),
            title=_child_text(item, "title") or None,
            modified=to_utc_iso(_attr(item, "lastmod")),
        )
        for item in items
    ]
    return Feed(
        kind="cdf",
        title=_child_text(root, "title") or None,
        entries=tuple(entries),
        truncated=truncated,
    )


def _parse_rss(root: etree._Element, url: str) -> Feed:
    channel = _child(root, "channel")
    if channel is None:
        raise FeedError("RSS document without <channel>")
    language = _child_text(channel, "language") or _child_text(channel, "language", ns=DC_NS)
    items = [c for c in channel if localname(c) == "item"]
    # RSS 0.91/0.92 documents occasionally put items beside the channel.
    items += [c for c in root if localname(c) == "item"]
    return _channel_feed("rss", channel, items, url, language)


def _parse_rdf(root: etree._Element, url: str) -> Feed:
    channel = _child(root, "channel")
    if channel is None:
        raise FeedError("RDF document without an RSS <channel>")
    language = _child_text(channel, "language", ns=DC_NS)
    items = [c for c in root if localname(c) == "item"]
    return _channel_feed("rdf", channel, items, url, language)


def _channel_feed(
    kind: str, channel: etree._Element, items: list[etree._Element], url: str, language: str
) -> Feed:
    """An RSS or RDF feed from its channel and items (capped), items sharing one parser."""
    items, truncated = _entries_capped(items)
    entries: list[FeedEntry] = []
    for item in items:
        entry = _rss_item(item, url, language or None)
        if entry is not None:
            entries.append(entry)
        entries.extend(_chapter_links(item, url))
    return Feed(
        kind=kind,
        title=_child_text(channel, "title") or None,
        language=language or None,
        entries=tuple(entries),
        truncated=truncated,
    )


def _atom_base(elem: etree._Element, inherited: str) -> str:
    base = elem.get(XML_BASE)
    return join_url(inherited, base.strip()) if base else inherited


def _atom_link(entry: etree._Element, base: str) -> str:
    fallback = ""
    for link in entry:
        if localname(link) != "link":
            continue
        rel = (link.get("rel") or "alternate").strip().lower()
        href = link.get("href") or text_of(link)  # Atom 0.3 sometimes used text content
        if not href:
            continue
        if rel == "alternate":
            kind = (link.get("type") or "text/html").lower()
            if "html" in kind:
                return _abs(href, base)
            fallback = fallback or _abs(href, base)
    return fallback


def _atom_author(elem: etree._Element) -> str:
    names = [
        _child_text(author, "name") or text_of(author)
        for author in elem
        if localname(author) in ("author", "creator")
    ]
    return ", ".join(n for n in names if n)


def _parse_atom(root: etree._Element, url: str) -> Feed:
    feed_base = _atom_base(root, url)
    language = root.get(XML_LANG)
    feed_author = _atom_author(root)
    items = [c for c in root if localname(c) == "entry"]
    items, truncated = _entries_capped(items)
    entries = []
    for item in items:
        base = _atom_base(item, feed_base)
        link = _atom_link(item, base)
        if not link:
            entry_id = _child_text(item, "id")
            link = entry_id if entry_id.startswith(("http://", "https://")) else ""
        if not link:
            continue
        published = _child_text(item, "published") or _child_text(item, "issued")
        updated = _child_text(item, "updated") or _child_text(item, "modified")
        entries.append(
            FeedEntry(
                url=link,
                title=_child_text(item, "title") or None,
                published=to_utc_iso(published) or None,
                modified=to_utc_iso(updated),
                author=_atom_author(item) or feed_author or None,
                language=item.get(XML_LANG) or language or None,
            )
        )
    return Feed(
        kind="atom",
        title=_child_text(root, "title") or None,
        language=language or None,
        entries=tuple(entries),
        truncated=truncated,
    )


def _json_author(obj: dict[str, Any]) -> str:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        single = obj.get("author")  # JSON Feed 1.0
        authors = [single] if isinstance(single, dict) else []
    names = [a.get("name") for a in authors if isinstance(a, dict)]
    return ", ".join(n.strip() for n in names if isinstance(n, str) and n.strip())


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _parse_json_feed(body: bytes, url: str) -> Feed:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"not parseable JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("JSON document without an 'items' list is not a JSON Feed")
    version = _str(doc.get("version"))
    if version and "jsonfeed.org" not in version:
        raise FeedError(f"unknown JSON Feed version {version!r}")
    base = join_url(url, _str(doc.get("home_page_url")) or url)
    language = _str(doc.get("language")) or None
    feed_author = _json_author(doc)
    items, truncated = doc["items"], False
    if len(items) > MAX_FEED_ENTRIES:
        items, truncated = items[:MAX_FEED_ENTRIES], True
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _str(item.get("url")) or _str(item.get("external_url"))
        if not link:
            item_id = _str(item.get("id"))
            link = item_id if item_id.startswith(("http://", "https://")) else ""
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=_abs(link, base),
                title=_str(item.get("title")) or None,
                published=to_utc_iso(_str(item.get("date_published"))),
                modified=to_utc_iso(_str(item.get("date_modified"))),
                author=_json_author(item) or feed_author or None,
                language=_str(item.get("language")) or language,
            )
        )
    return Feed(
        kind="json",
        title=_str(doc.get("title")) or None,
        language=language,
        entries=tuple(entries),
        truncated=truncated,
    )
