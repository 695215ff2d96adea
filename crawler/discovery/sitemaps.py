"""Sitemap parsing (urlset, sitemap index, Google News, gzip, plain text) and robots.txt lines.

Scrapy's own sitemap parser drops the ``<news:news>`` fields, so this module parses
with lxml itself, under the protocol's caps: 50 MB uncompressed and 50,000 URLs per file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from crawler.discovery.dates import to_utc_iso
from crawler.discovery.feeds import FeedError, looks_like_feed, parse_feed
from crawler.discovery.urls import join_url
from crawler.discovery.xmlsafe import (
    MAX_DOCUMENT_BYTES,
    check_size,
    gunzip_bounded,
    is_gzip,
    iter_xml,
    localname,
    text_of,
)

logger = logging.getLogger(__name__)

MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = MAX_DOCUMENT_BYTES
#: How deep sitemap indexes may nest (robots.txt -> index -> index -> sitemap).
MAX_SITEMAP_DEPTH = 3

_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?(?:urlset|sitemapindex)\s*>\s*$", re.IGNORECASE)
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:url|sitemap)\s*>", re.IGNORECASE)
_URL_START = ("http://", "https://")


class SitemapError(ValueError):
    """The document is not a sitemap."""


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` or ``<sitemap>`` with what the sitemap says about it."""

    loc: str
    lastmod: str | None = None
    published: str | None = None  # news:publication_date
    title: str | None = None  # news:title
    language: str | None = None  # news:language
    publication: str | None = None  # news:publication/news:name
    #: other language editions: the hrefs of ``<xhtml:link rel="alternate" hreflang>``
    alternates: tuple[str, ...] = ()

    def discovery(self) -> dict[str, Any]:
        """The non-empty fields as discovery metadata for the request."""
        return {
            k: v
            for k, v in (
                ("lastmod", self.lastmod),
                ("published", self.published),
                ("title", self.title),
                ("language", self.language),
                ("publication", self.publication),
            )
            if v
        }


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset" or "sitemapindex"
    entries: tuple[SitemapEntry, ...] = field(default_factory=tuple)
    truncated: bool = False

    @property
    def is_index(self) -> bool:
        return self.kind == "sitemapindex"


def robots_sitemaps(robots_txt: str | bytes, base_url: str) -> list[str]:
    """The absolute URLs of the ``Sitemap:`` lines of a robots.txt, in order, deduplicated."""
    if isinstance(robots_txt, bytes):
        robots_txt = robots_txt.decode("utf-8", "replace")
    urls: list[str] = []
    for m in _ROBOTS_SITEMAP.finditer(robots_txt):
        url = join_url(base_url, m.group(1))
        if url not in urls:
            urls.append(url)
    return urls


def unpack_sitemap(body: bytes) -> bytes:
    """The sitemap bytes, gunzipped (bounded) if ``body`` is gzip data.

    A ``.xml.gz`` file arrives still compressed (no Content-Encoding), so the
    magic number rather than the URL or header decides.
    """
    if is_gzip(body):
        return gunzip_bounded(body, MAX_SITEMAP_BYTES)
    check_size(body, MAX_SITEMAP_BYTES)
    return body


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """Parse a sitemap or sitemap index (gzip or not; XML or plain text).

    Raises ``UnsafeDocument`` (a ValueError) for oversized documents or ones that
    declare entities, SitemapError for anything else that is not a sitemap. Beyond
    50,000 entries the rest is dropped and ``truncated`` is set.
    """
    data = unpack_sitemap(body)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return _parse_text(data, base_url)
    if looks_like_feed(data) and not re.search(rb"<(\w+:)?(urlset|sitemapindex)\b", head):
        return _feed_as_sitemap(data, base_url)  # RSS or Atom served as a sitemap
    data = _complete_part(data, base_url)
    kind = ""
    entries: list[SitemapEntry] = []
    truncated = False
    try:
        for elem in iter_xml(data, MAX_SITEMAP_BYTES):
            name = localname(elem)
            if name in ("url", "sitemap"):
                kind = kind or ("urlset" if name == "url" else "sitemapindex")
                if len(entries) >= MAX_SITEMAP_URLS:
                    truncated = True
                    break
                entry = _entry(elem, base_url)
                if entry is not None:
                    entries.append(entry)
                elem.clear(keep_tail=False)
                # Drop processed siblings too, so memory stays flat on big files.
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
            elif name in ("urlset", "sitemapindex") and not kind:
                kind = name
    except ValueError as exc:
        if type(exc) is not ValueError:
            raise
        raise SitemapError(str(exc)) from exc
    if not kind:
        raise SitemapError("no <urlset> or <sitemapindex> root")
    if truncated:
        logger.warning(
            "Sitemap %s lists more than %d URLs; the rest is ignored", base_url, MAX_SITEMAP_URLS
        )
    return Sitemap(kind=kind, entries=tuple(entries), truncated=truncated)


def _entry(elem: Any, base_url: str) -> SitemapEntry | None:
    loc = lastmod = published = title = language = publication = ""
    alternates: list[str] = []
    for child in elem:
        name = localname(child)
        if name == "link" and child.get("hreflang") is not None:
            href = "".join((child.get("href") or "").split())
            rel = (child.get("rel") or "alternate").lower().split()
            if href and "alternate" in rel:
                alternates.append(join_url(base_url, href))
        elif name == "loc":
            loc = text_of(child)
        elif name == "lastmod":
            lastmod = text_of(child)
        elif name == "news":
            for field_elem in child.iter():
                fname = localname(field_elem)
                if fname == "publication_date":
                    published = text_of(field_elem)
                elif fname == "title":
                    title = text_of(field_elem)
                elif fname == "language":
                    language = text_of(field_elem)
                elif fname == "name":
                    publication = text_of(field_elem)
    if not loc:
        # <url>https://...</url>: the URL as the entry's own text
        own = (elem.text or "").strip()
        loc = own if own.startswith(_URL_START) else ""
    # a URL holds no whitespace: what is there is indentation or a wrapped line
    loc = "".join(loc.split())
    if not loc:
        return None
    return SitemapEntry(
        loc=join_url(base_url, loc),
        lastmod=to_utc_iso(lastmod),
        published=to_utc_iso(published),
        title=title or None,
        language=language or None,
        publication=publication or None,
        alternates=tuple(a for a in dict.fromkeys(alternates) if a != join_url(base_url, loc)),
    )


def _complete_part(data: bytes, base_url: str) -> bytes:
    """A sitemap cut off before its closing tag, up to its last complete entry.

    The recovering parser would close the open ``<loc>`` and hand back half a URL.
    """
    if _ROOT_END.search(data[-512:]):
        return data
    last = None
    for match in _ENTRY_END.finditer(data):
        last = match
    if last is None:
        return data
    logger.warning("Sitemap %s is cut off; reading its complete entries", base_url)
    return data[: last.end()]


def _feed_as_sitemap(data: bytes, base_url: str) -> Sitemap:
    """An RSS, Atom (0.3 or 1.0) or CDF feed where a sitemap was expected, as a urlset."""
    try:
        feed = parse_feed(data, base_url)
    except FeedError as exc:
        raise SitemapError(f"neither a sitemap nor a feed: {exc}") from exc
    entries = tuple(
        SitemapEntry(loc=e.url, lastmod=e.modified or e.published) for e in feed.entries
    )
    if not entries:
        raise SitemapError("a feed without entries, not a sitemap")
    return Sitemap(kind="urlset", entries=entries, truncated=feed.truncated)


def _parse_text(data: bytes, base_url: str) -> Sitemap:
    """A text sitemap: one absolute URL per line (a byte-order mark and #fragments dropped)."""
    entries: list[SitemapEntry] = []
    truncated = False
    for raw in data.decode("utf-8-sig", "replace").splitlines():
        line = raw.strip().split(None, 1)[0] if raw.strip() else ""
        line = line.split("#", 1)[0] if line.startswith(_URL_START) else line
        if not line.startswith(("http://", "https://")):
            if line and not entries and not line.startswith("#"):
                raise SitemapError("neither XML nor a text sitemap of URLs")
            continue
        if len(entries) >= MAX_SITEMAP_URLS:
            truncated = True
            break
        entries.append(SitemapEntry(loc=join_url(base_url, line)))
    if not entries:
        raise SitemapError("empty text sitemap")
    return Sitemap(kind="urlset", entries=tuple(entries), truncated=truncated)
