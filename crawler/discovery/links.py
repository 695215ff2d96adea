"""HTML link discovery: every advertised feed, the canonical link, and section links in scope."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawler.discovery.urls import (
    canonicalize_url,
    host_of,
    in_domains,
    join_url,
    registered_domain_hint,
)

logger = logging.getLogger(__name__)

#: Feed media types advertised with ``<link rel="alternate">``. Plain
#: ``application/json`` is left out on purpose: WordPress advertises its REST API with it.
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x.atom+xml",
        "application/x-atom+xml",
        "application/x-rss+xml",
        "text/rss+xml",
        "text/atom+xml",
    }
)

#: Links to these are not pages (Scrapy's IGNORED_EXTENSIONS, abridged).
IGNORED_EXTENSIONS = frozenset(
    [
        "7z",
        "7zip",
        "apk",
        "bz2",
        "cdr",
        "dmg",
        "ico",
        "iso",
        "jar",
        "gz",
        "rar",
        "tar",
        "tgz",
        "zip",
        "exe",
        "bin",
        "msi",
        "mng",
        "pct",
        "bmp",
        "gif",
        "jpg",
        "jpeg",
        "png",
        "pst",
        "psp",
        "tif",
        "tiff",
        "ai",
        "drw",
        "dxf",
        "eps",
        "ps",
        "svg",
        "cdr",
        "webp",
        "avif",
        "mp3",
        "wma",
        "ogg",
        "wav",
        "ra",
        "aac",
        "mid",
        "au",
        "aiff",
        "m4a",
        "flac",
        "opus",
        "3gp",
        "asf",
        "asx",
        "avi",
        "mov",
        "mp4",
        "mpg",
        "qt",
        "rm",
        "swf",
        "wmv",
        "m4v",
        "webm",
        "flv",
        "mkv",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "pps",
        "doc",
        "docx",
        "odt",
        "ods",
        "odg",
        "odp",
        "pdf",
        "css",
        "js",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
    ]
)


_COMMENTS_FEED = re.compile(
    r"comment|kommentar|commentaire|comentario|commento|reacties|reactions", re.IGNORECASE
)


@dataclass(frozen=True)
class FeedLink:
    url: str
    type: str
    title: str | None = None

    @property
    def is_comments(self) -> bool:
        """A comments feed (WordPress puts one on every article): its entries are comments."""
        path = urlsplit(self.url).path.lower()
        return bool(_COMMENTS_FEED.search(self.title or "")) or "/comments/" in path


def parse_html(body: bytes | str, encoding: str | None = None) -> etree._Element | None:
    """Parse an HTML document leniently; None if there is nothing to parse."""
    if not body:
        return None
    try:
        if isinstance(body, bytes):
            parser = lxml.html.HTMLParser(encoding=encoding) if encoding else None
            return lxml.html.document_fromstring(body, parser=parser)
        return lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError, LookupError) as exc:
        logger.debug("Unparseable HTML: %s", exc)
        return None


#: `parse_html_head` feeds the parser this much at a time.
HEAD_CHUNK = 16 * 1024
# After the body starts: a <base>, or a <link> that may be canonical or alternate, means
# the whole document is parsed (stylesheet and microdata <link>s in the body are common).
_LATE_TAG = re.compile(rb"<(?:link|base)[\s/>][^>]*", re.IGNORECASE)


def _late_link(body: bytes, start: int) -> bool:
    for match in _LATE_TAG.finditer(body, start):
        tag = match[0].lower()
        if tag.startswith(b"<base") or b"canonical" in tag or b"alternate" in tag:
            return True
    return False


def parse_html_head(body: bytes, encoding: str | None = None) -> etree._Element | None:
    """The document up to where its body starts, where that holds every ``<link>``/``<base>``.

    For what a page says with ``<link>`` and ``<base>`` elements (canonical link,
    advertised feeds, language editions): the parser is fed in chunks and stops at the
    body, unless a ``<base>`` or a canonical or alternate ``<link>`` follows, when it
    reads the whole document. A news page is mostly body: this is several times cheaper
    than `parse_html`.
    """
    if not body:
        return None
    # plain lxml elements: lxml.html's element classes cost a Python call per element
    parser = etree.HTMLPullParser(events=("start",), encoding=encoding)
    try:
        fed = 0
        while fed < len(body):
            parser.feed(body[fed : fed + HEAD_CHUNK])
            fed += HEAD_CHUNK
            if any(el.tag == "body" for _, el in parser.read_events()):
                if not _late_link(body, fed):
                    break
                parser.feed(body[fed:])
                break
        return parser.close()
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, LookupError):
        return parse_html(body, encoding)


def document_base(doc: etree._Element | None, url: str) -> str:
    """The base URL for relative links: ``<base href>`` if present, else ``url``."""
    if doc is not None:
        # //head/base/@href, by lxml's C iteration (an XPath would be compiled per call)
        for base in doc.iter("base"):
            parent = base.getparent()
            href = base.get("href")
            if parent is None or parent.tag != "head" or href is None:
                continue
            if href.strip():
                return join_url(url, href.strip())
    return url


def _rel_tokens(elem: etree._Element) -> set[str]:
    return set((elem.get("rel") or "").lower().split())


def advertised_feeds(
    doc: etree._Element | None, url: str, *, comments: bool = False
) -> list[FeedLink]:
    """Every feed the page advertises with ``<link rel="alternate" type="...">``, in order.

    Not only the first: news sites often advertise one feed per section. Comments feeds
    are left out unless ``comments`` (they list comments, one per article on WordPress).
    """
    if doc is None:
        return []
    base = document_base(doc, url)
    feeds: list[FeedLink] = []
    seen: set[str] = set()
    for link in doc.iter("link"):
        if "alternate" not in _rel_tokens(link):
            continue
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        href = (link.get("href") or "").strip()
        if kind not in FEED_TYPES or not href:
            continue
        absolute = join_url(base, href)
        if absolute in seen or urlsplit(absolute).scheme not in ("http", "https"):
            continue
        seen.add(absolute)
        feed = FeedLink(url=absolute, type=kind, title=(link.get("title") or None))
        if comments or not feed.is_comments:
            feeds.append(feed)
    return feeds


def language_alternates(doc: etree._Element | None, url: str) -> list[str]:
    """The other language editions the page names: ``<link rel="alternate" hreflang>``.

    Absolute http(s) URLs in order, without the page itself and without duplicates;
    ``x-default`` counts too. Scope is the caller's to check.
    """
    if doc is None:
        return []
    base = document_base(doc, url)
    found: list[str] = []
    for link in doc.iter("link"):
        if "alternate" not in _rel_tokens(link) or link.get("hreflang") is None:
            continue
        href = (link.get("href") or "").strip()
        if not href:
            continue
        absolute = join_url(base, href)
        if (
            absolute in found
            or absolute == url
            or urlsplit(absolute).scheme not in ("http", "https")
        ):
            continue
        found.append(absolute)
    return found


def canonical_link(doc: etree._Element | None, url: str) -> str | None:
    """The canonicalised ``<link rel="canonical">`` of the page, if it has a usable one.

    A canonical pointing to another site is ignored: it cannot make two of our URLs
    one article, and trusting it would let any page claim to be any other.
    """
    if doc is None:
        return None
    base = document_base(doc, url)
    for link in doc.iter("link"):
        if "canonical" in _rel_tokens(link):
            href = (link.get("href") or "").strip()
            if not href:
                continue
            canon = canonicalize_url(href, base)
            if canon and _same_host_family(canon, url):
                return canon
            return None
    return None


def _same_host_family(a: str, b: str) -> bool:
    return registered_domain_hint(host_of(a)) == registered_domain_hint(host_of(b))


@dataclass(frozen=True)
class LinkRules:
    """Which links a source follows: its domains, allow and deny regexes."""

    domains: tuple[str, ...] = ()
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def build(
        cls, domains: Iterable[str] = (), allow: Iterable[str] = (), deny: Iterable[str] = ()
    ) -> LinkRules:
        return cls(
            domains=tuple(d.strip().lower() for d in domains if d and d.strip()),
            allow=tuple(re.compile(p) for p in allow),
            deny=tuple(re.compile(p) for p in deny),
        )

    def in_scope(self, url: str) -> bool:
        """On one of the source's domains (or subdomains)."""
        return in_domains(url, self.domains)

    def denied(self, url: str) -> bool:
        return any(p.search(url) for p in self.deny)

    def allowed(self, url: str) -> bool:
        """In scope, matching ``allow`` (if any) and no ``deny``: fit to follow."""
        if not self.in_scope(url) or self.denied(url):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


def has_ignored_extension(url: str) -> bool:
    path = urlsplit(url).path.lower()
    last = path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1] in IGNORED_EXTENSIONS


def extract_links(
    doc: etree._Element | None, url: str, rules: LinkRules | None = None
) -> list[str]:
    """Canonical URLs of the page's ``<a>``/``<area>`` links that ``rules`` allow, in order."""
    return [canon for canon, _found in extract_links_as_found(doc, url, rules)]


def extract_links_as_found(
    doc: etree._Element | None, url: str, rules: LinkRules | None = None
) -> list[tuple[str, str]]:
    """Like `extract_links`, each canonical URL with the link as the page wrote it (absolute)."""
    if doc is None:
        return []
    base = document_base(doc, url)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for elem in doc.iter("a", "area"):
        href = elem.get("href")
        if not href:
            continue
        href = href.strip()
        if href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "tel:")):
            continue
        canon = canonicalize_url(href, base)
        if not canon or canon in seen or has_ignored_extension(canon):
            continue
        seen.add(canon)
        if rules is None or rules.allowed(canon):
            out.append((canon, join_url(base, href)))
    return out


def meta_content(doc: etree._Element | None, *names: str) -> str | None:
    """The first ``<meta property|name="...">`` content among ``names`` (case-insensitive)."""
    if doc is None:
        return None
    wanted = {n.lower() for n in names}
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in wanted:
            content = (meta.get("content") or "").strip()
            if content:
                return content
    return None


def domains_of(urls: Sequence[str]) -> tuple[str, ...]:
    """The distinct hosts of ``urls``, for a source that configures no ``domains``."""
    hosts: list[str] = []
    for url in urls:
        host = host_of(url)
        if host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


_LINK_HEADER_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_LINK_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def canonical_from_link_header(value: str | None, url: str) -> str | None:
    """The canonicalised ``rel="canonical"`` target of an HTTP ``Link`` header, if same-site."""
    if not value:
        return None
    for m in _LINK_HEADER_PART.finditer(value):
        rel = _LINK_REL.search(m.group(2) or "")
        if rel and "canonical" in (rel.group(1) or rel.group(2) or "").lower().split():
            canon = canonicalize_url(m.group(1), url)
            if canon and _same_host_family(canon, url):
                return canon
            return None
    return None
