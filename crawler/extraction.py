"""HTML page -> article dict: metadata, clean text and structured comments (the only trafilatura user)."""

from __future__ import annotations

import codecs
import ctypes
import functools
import gc
import hashlib
import html
import json
import logging
import re
import signal
import sys
import unicodedata
from dataclasses import asdict, dataclass
from importlib import metadata as importlib_metadata
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HTMLParser, document_fromstring

from crawler.comments import (
    STATUS_NONE,
    STATUS_NOT_IN_HTML,
    STATUS_OPEN,
    CommentResult,
    block_text,
    extract_comments,
    flat_comments,
    jsonld_objects,
    jsonld_types,
    normalize_date,
    page_attributes,
    parse_text_date,
)

logger = logging.getLogger(__name__)

__all__ = [
    "EXTRACTOR_NAME",
    "ExtractionOptions",
    "decode_body",
    "extract_article",
    "extractor_version",
    "looks_like_article",
    "parse_html",
]

EXTRACTOR_NAME = "newsvault"
_VERSION = "0.1.0"

FAVOR_CHOICES = ("balanced", "precision", "recall")


@dataclass(frozen=True)
class ExtractionOptions:
    """Settings that change what extraction returns (all but ``timeout_s`` enter the settings hash)."""

    comments: bool = True
    favor: str = "balanced"
    include_tables: bool = True
    timeout_s: float = 30.0
    prune_boilerplate: bool = True
    date_text_search: bool = True

    def __post_init__(self) -> None:
        if self.favor not in FAVOR_CHOICES:
            raise ValueError(f"favor must be one of {', '.join(FAVOR_CHOICES)}, not {self.favor!r}")

    def settings_hash(self) -> str:
        """First 16 hex digits of the sha256 of the output-relevant settings and extractor version."""
        data = asdict(self)
        data.pop("timeout_s")
        data["extractor_version"] = extractor_version()
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def extractor_version() -> str:
    """Our version plus the trafilatura version, e.g. ``newsvault-0.1.0+trafilatura-2.3.1``."""
    try:
        traf = importlib_metadata.version("trafilatura")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - vendored installs
        traf = "unknown"
    return f"{EXTRACTOR_NAME}-{_VERSION}+trafilatura-{traf}"


# ---------------------------------------------------------------------------
# decoding and parsing

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE[^>]*>", re.I)
# characters libxml2 rejects: C0 controls but tab, LF and CR (single bytes in UTF-8, never
# inside a multi-byte sequence), and U+FFFE and U+FFFF
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())


def _xml_safe(data: bytes) -> bytes:
    """``data`` (UTF-8) without the characters libxml2 rejects; C speed, no regex."""
    data = data.translate(None, _CONTROL_BYTES)
    for seq in _NONCHARACTERS:
        if seq in data:
            data = data.replace(seq, b"")
    return data


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # browsers treat latin-1 and ascii labels as windows-1252
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode_body(body: bytes | str, encoding: str | None = None) -> str:
    """Decode an HTML body: BOM, then the given (HTTP) encoding, then <meta charset>, then UTF-8, then cp1252."""
    if isinstance(body, str):
        return body
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    http_codec = _codec(encoding)
    declared = _META_CHARSET_RE.search(body[:4096])
    meta_codec = _codec(declared.group(1).decode("ascii", "ignore")) if declared else None
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the labels say: text in a
    # single-byte encoding practically never decodes as UTF-8 by accident.
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in (http_codec, meta_codec):
        if label and label != "utf-8":
            try:
                return body.decode(label)
            except (UnicodeDecodeError, LookupError):
                continue
    # mostly-UTF-8 pages with a few broken bytes stay UTF-8
    label = http_codec or meta_codec
    if label == "utf-8" or label is None:
        text = body.decode("utf-8", errors="replace")
        if label == "utf-8" or text.count("\ufffd") * 200 < len(text):
            return text
    return body.decode(label if label and label != "utf-8" else "cp1252", errors="replace")


# The decoded page goes to libxml2 as UTF-8 bytes: handing it a Python str costs a
# conversion of its own (60% slower parsing on the corpus). Same options as trafilatura's
# own parser, so the tree we hand over needs no re-parse.
_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    remove_comments=True,
    remove_pis=True,
    encoding="utf-8",
)
# lxml.html picks a Python class per element through a Python-level lookup, paid every
# time an element proxy is made (millions of times per hundred pages: about a tenth of
# extraction). One C-level default class keeps every HtmlElement method we use.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment)
)


def parse_html(body: bytes | str, encoding: str | None = None) -> HtmlElement | None:
    """Parse a page once into an lxml tree (None when it is not HTML)."""
    return _parse_text(decode_body(body, encoding))


def _parse_text(text: str) -> HtmlElement | None:
    text = _XML_DECL_RE.sub("", text, count=1)
    # libxml2 mis-parses some pages whose doctype shares the first line with markup
    # (lxml bug 1955915): drop the doctype, as trafilatura's own loader does
    head, sep, rest = text.partition("\n")
    if "doctype" in head[:50].lower():
        text = _DOCTYPE_RE.sub("", head, count=1) + sep + rest
    if not text or text.isspace():
        return None
    data = _xml_safe(text.encode("utf-8", "replace"))
    try:
        tree = document_fromstring(data, parser=_PARSER)
    except (TypeError, ValueError, etree.ParserError) as err:
        logger.debug("unparseable HTML: %s", err)
        return None
    return tree if len(tree) else None


# ---------------------------------------------------------------------------
# metadata

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
    "discussionforumposting",
    "posting",
    "report",
    "review",
}


class _Meta:
    """Lower-cased meta name/property/itemprop -> contents, JSON-LD objects, links: read once per page."""

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self.url = url
        self.values: dict[str, list[str]] = {}
        for node in tree.iter("meta"):
            key = (
                node.get("property")
                or node.get("name")
                or node.get("itemprop")
                or node.get("http-equiv")
            )
            content = node.get("content")
            if key and content and content.strip():
                if "&" in content:
                    content = html.unescape(content)
                for part in key.lower().split():
                    self.values.setdefault(part.strip(), []).append(content.strip())
        self.ld = jsonld_objects(tree)
        self.ld_articles = [o for o in self.ld if jsonld_types(o) & _ARTICLE_TYPES]
        self.ld_pages = [
            o for o in self.ld if jsonld_types(o) & {"webpage", "newsmediaorganization", "website"}
        ]

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.values.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        return [v for key in keys for v in self.values.get(key, ())]

    def ld_first(self, *keys: str, objects: list[dict[str, Any]] | None = None) -> Any:
        for obj in self.ld_articles if objects is None else objects:
            for key in keys:
                value = obj.get(key)
                if value not in (None, "", [], {}):
                    return value
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    value = re.sub(r"\s+", " ", value).strip()
    return value or None


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        return _names(name) if name else []
    if isinstance(value, str):
        return _split_authors(value)
    return []


_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|\||\band\b|\bund\b|\bet\b|\by\b|&)\s*", re.I)
_AUTHOR_PREFIX_RE = re.compile(r"^(?:by|von|par|por|di|door|af)\s*:?\s+", re.I)


def _split_authors(value: str) -> list[str]:
    value = re.sub(r"\s+", " ", value).strip()
    if (
        not value
        or value.startswith(("http://", "https://"))
        or ("@" in value and " " not in value)
    ):
        return []
    value = _AUTHOR_PREFIX_RE.sub("", value)
    parts = [p.strip(" ,.:-–|") for p in _AUTHOR_SPLIT_RE.split(value)]
    # "Jane Doe, John Roe" is two people, "Doe, Jane" one
    out: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(" " in p for p in pieces if p):
            out.extend(p for p in pieces if p)
        elif part:
            out.append(part)
    return [p for p in out if 1 < len(p) <= 80]


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        for item in value:
            found = _image(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


_TITLE_SEP_RE = re.compile(r"\s+[|\-–—:·•»/]\s+|\s+::\s+")


_QUOTES = {
    ord(k): v
    for k, v in {"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'}.items()
}


def _normalize_line(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_QUOTES)
    text = " ".join(text.split())  # runs of whitespace (NBSP too) -> one space, ends stripped
    return text.strip(" .!?:;,\"'*-–—")


def _clean_title(title: str | None, site_name: str | None, h1: str | None) -> str | None:
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip()
    if (
        h1
        and _normalize_line(h1)
        and _normalize_line(h1) in _normalize_line(title)
        and len(h1) >= 8
    ):
        # the <title>/og:title is the h1 plus decoration
        return h1
    parts = _TITLE_SEP_RE.split(title)
    if len(parts) > 1:
        site = _normalize_line(site_name or "")
        if site and (_normalize_line(parts[-1]) == site or site in _normalize_line(parts[-1])):
            return (
                _TITLE_SEP_RE.split(title, maxsplit=len(parts) - 2)[0]
                if len(parts) > 2
                else parts[0]
            )
        if site and _normalize_line(parts[0]) == site:
            return title[title.find(parts[1]) :]
    return title


def _h1(tree: HtmlElement) -> str | None:
    for node in tree.iter("h1"):
        text = re.sub(r"\s+", " ", node.text_content()).strip()
        if 3 <= len(text) <= 300:
            return text
    return None


_URL_DATE_RE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|\.html?|$)"
    r"|[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)


def url_date(url: str) -> str | None:
    """A date written in the URL path, at day precision."""
    match = _URL_DATE_RE.search(urlsplit(url).path)
    if not match:
        return None
    y, m, d = (g for g in match.groups() if g is not None)
    return normalize_date(f"{int(y):04d}-{int(m):02d}-{int(d):02d}")


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "publication_date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.created",
    "datecreated",
    "originalpublicationdate",
    "cxenseparse:recs:publishtime",
    "shareaholic:article_published_time",
    "created",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "article.updated",
    "last-modified",
    "lastmod",
    "dcterms.modified",
    "dc.date.modified",
    "modified_time",
)

_TIME_PUBLISHED_XPATH = etree.XPath(
    "//time[@datetime][@pubdate or @itemprop='datePublished' or contains(@class, 'publish')"
    " or contains(@class, 'entry-date') or contains(@class, 'posted') or contains(@class, 'created')]"
    " | //*[@itemprop='datePublished'][@datetime or @content]"
)
_ITEMPROP_PUBLISHED_XPATH = etree.XPath("//*[@itemprop='datePublished' or @itemprop='dateCreated']")
_TIME_MODIFIED_XPATH = etree.XPath(
    "//time[@datetime][@itemprop='dateModified' or contains(@class, 'updated') or contains(@class, 'modified')]"
    " | //*[@itemprop='dateModified'][@datetime or @content]"
)
_TIME_ANY_XPATH = etree.XPath(
    "(//article//time[@datetime] | //header//time[@datetime] | //main//time[@datetime] | //time[@datetime])"
)


def _not_in_comments(node: HtmlElement) -> bool:
    for anc in node.iterancestors():
        ident = f"{anc.get('id') or ''} {anc.get('class') or ''}".lower()
        if "comment" in ident or "related" in ident or "sidebar" in ident:
            return False
    return True


_DATEISH_XPATH = etree.XPath(
    "//*[@class or @id][contains(@class, 'date') or contains(@class, 'Date') or contains(@class, 'time')"
    " or contains(@class, 'posted') or contains(@class, 'publish') or contains(@class, 'byline')"
    " or contains(@class, 'meta') or contains(@id, 'date')]"
)


def _text_date(tree: HtmlElement, url: str) -> str | None:
    """Last resort: htmldate's markup heuristics, then a dated line in a date-ish element.

    htmldate runs without its "extensive" free-text search: that search loads dateparser's
    locale data, which grows each extraction worker by ~80 MB for a few low-precision dates
    (often a copyright year).
    """
    from htmldate import find_date  # lazy, like trafilatura in _main_text

    try:
        found = find_date(
            tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d", url=url
        )
    except Exception as err:  # htmldate raises assorted errors on odd pages
        logger.debug("htmldate failed on %s: %s", url, err)
        found = None
    if found:
        return normalize_date(found)
    for node in _DATEISH_XPATH(tree):
        text = " ".join(node.text_content().split())
        if 6 <= len(text) <= 80 and _not_in_comments(node):
            date = parse_text_date(text)
            if date:
                return date
    return None


def _dates(
    meta: _Meta, tree: HtmlElement, url: str, hints: dict[str, Any], options: ExtractionOptions
) -> dict[str, Any]:
    published = modified = None
    source = None
    value = meta.ld_first("datePublished", "dateCreated", "uploadDate")
    if value is not None:
        published = normalize_date(_text(value))
        source = "json-ld" if published else None
    if not published:
        published = normalize_date(meta.first(*_PUBLISHED_META))
        source = "meta" if published else None
    if not published:
        for node in [
            *_TIME_PUBLISHED_XPATH(tree),
            *_TIME_ANY_XPATH(tree),
            *_ITEMPROP_PUBLISHED_XPATH(tree),
        ]:
            if not _not_in_comments(node):
                continue
            published = normalize_date(
                node.get("datetime")
                or node.get("content")
                or node.get("title")
                or node.text_content()
            )
            if published:
                source = "time-element"
                break
    modified = normalize_date(_text(meta.ld_first("dateModified"))) or normalize_date(
        meta.first(*_MODIFIED_META)
    )
    if not modified:
        for node in _TIME_MODIFIED_XPATH(tree):
            modified = normalize_date(node.get("datetime") or node.get("content"))
            if modified:
                break
    if modified and published and modified == published:
        modified = None  # "modified" at the publication instant is no modification
    via = str(hints.get("via") or "").lower()
    hint_source = (
        "sitemap"
        if via == "sitemap" or (hints.get("lastmod") and not hints.get("published"))
        else "feed"
    )
    if not published and hints.get("published"):
        published = normalize_date(hints["published"])
        source = hint_source if published else None
    if not published:
        published = url_date(url)
        source = "url" if published else None
    if not published and options.date_text_search:
        published = _text_date(tree, url)
        source = "text" if published else None
    if not modified and (hints.get("modified") or hints.get("lastmod")):
        modified = normalize_date(hints.get("modified") or hints.get("lastmod"))
    return {"published": published, "modified": modified, "date_source": source}


# byline markup, most specific first; the first selector that finds names wins
# (words one of which the page's attributes must contain, XPath): the words spare the walk
_AUTHOR_XPATHS: tuple[tuple[tuple[str, ...], etree.XPath], ...] = tuple(
    (words, etree.XPath(x))
    for words, x in (
        (
            ("author",),
            "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(*)]",
        ),
        ((), "//a[@rel='author']"),
        (
            ("byline", "author", "vcard"),
            # [@class] first: the string tests then run only on elements that have one
            "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
            " or contains(concat(' ', normalize-space(@class), ' '), ' author ')"
            " or contains(concat(' ', normalize-space(@class), ' '), ' vcard ')]"
            "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' fn ')"
            " or contains(@class, 'name')]",
        ),
        (
            ("author-name", "byline__name", "authorname"),
            "//*[@class][contains(@class, 'author-name') or contains(@class, 'byline__name')"
            " or contains(@class, 'authorname')]",
        ),
    )
)


def _authors(
    meta: _Meta, tree: HtmlElement, hints: dict[str, Any], attrs: str | None = None
) -> list[str]:
    value = meta.ld_first("author", "creator")
    names = _names(value) if value is not None else []
    if not names:
        for key in (
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "dcterms.creator",
        ):
            for raw in meta.all(key):
                names.extend(_split_authors(raw))
            if names:
                break
    for words, xpath in _AUTHOR_XPATHS:
        if names:
            break
        if words and attrs is not None and not any(word in attrs for word in words):
            continue
        for node in xpath(tree):
            if _not_in_comments(node):
                names.extend(_split_authors(node.get("content") or node.text_content()))
            if len(names) >= 5:
                break
    if not names and hints.get("author"):
        names = _names(hints["author"])
    return _dedupe([n for n in names if not n.lower().startswith(("http", "www."))])


def _metadata(tree: HtmlElement, url: str, meta: _Meta, hints: dict[str, Any]) -> dict[str, Any]:
    site_name = (
        meta.first("og:site_name", "application-name", "al:ios:app_name")
        or _text(meta.ld_first("publisher", "sourceOrganization"))
        or _text(
            meta.ld_first("name", objects=[o for o in meta.ld if jsonld_types(o) & {"website"}])
        )
    )
    h1 = _h1(tree)
    title_node = tree.find(".//title")
    raw_title = (
        _text(meta.ld_first("headline", "name"))
        or meta.first("og:title", "twitter:title", "dc.title", "title", "headline")
        or h1
        or (
            re.sub(r"\s+", " ", title_node.text_content()).strip()
            if title_node is not None
            else None
        )
        or _text(hints.get("title"))
    )
    title = _clean_title(raw_title, site_name, h1)

    canonical = None
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = urljoin(url, link.get("href").strip())
            break
    canonical = (
        canonical or (urljoin(url, meta.first("og:url")) if meta.first("og:url") else None) or url
    )

    root = tree.getroottree().getroot()
    language = (
        (root.get("lang") or root.get("xml:lang") or "").strip()
        or meta.first("content-language", "og:locale", "dc.language", "language")
        or _text(meta.ld_first("inLanguage"))
        or _text(hints.get("language"))
    )
    if language:
        # primary subtag: "en-US" and "en_GB" are both "en"
        language = re.split(r"[-_,;\s]", language.strip())[0].lower() or None

    section = _text(meta.ld_first("articleSection")) or meta.first(
        "article:section", "section", "parsely-section", "category", "og:article:section"
    )
    tags: list[str] = []
    keywords = meta.ld_first("keywords")
    if isinstance(keywords, str):
        tags.extend(k.strip() for k in keywords.split(","))
    elif isinstance(keywords, list):
        tags.extend(str(k).strip() for k in keywords if isinstance(k, (str, int)))
    tags.extend(meta.all("article:tag", "og:article:tag"))
    for raw in meta.all("news_keywords", "keywords", "parsely-tags", "sailthru.tags"):
        tags.extend(k.strip() for k in re.split(r"[,;]", raw))
    if not tags:
        for link in tree.iter("a"):
            if "tag" in (link.get("rel") or "").lower().split():
                tags.append(re.sub(r"\s+", " ", link.text_content()).strip())
    tags = _dedupe([t for t in tags if t and len(t) <= 100])

    description = (
        meta.first("og:description", "description", "twitter:description", "dc.description")
        or _text(meta.ld_first("description"))
        or None
    )
    image = meta.first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    image = image or _image(meta.ld_first("image", "thumbnailUrl"))
    return {
        "canonical_url": canonical,
        "title": title,
        "language": language,
        "description": re.sub(r"\s+", " ", description).strip() if description else None,
        "section": section,
        "tags": tags,
        "image": urljoin(url, image) if image else None,
        "site_name": site_name,
        "h1": h1,
        "raw_title": raw_title,
    }


# ---------------------------------------------------------------------------
# boilerplate pruning (before trafilatura) and line filters (after)

# class/id tokens naming boilerplate containers; a token matches when one of these is a dash/underscore part of it
_BOILERPLATE_PARTS = (
    "cookie|cookies|cookiebanner|cookie-banner|cookie-notice|gdpr|consent|cmp|"
    "newsletter|newsletter-signup|subscribe|signup|"
    "share|sharing|sharebar|share-buttons|social-share|socialshare|shariff|addthis|sharethis|sharedaddy|"
    "related|related-posts|recommended|"
    "breadcrumb|breadcrumbs|respond|comment-respond|comment-form|commentform|reply-title|"
    "author-box|authorbox|author-bio|about-author"
)
# Hot patterns match lower-cased input without re.I: case-insensitive alternation is ~10x slower.
_BOILERPLATE_TOKEN_RE = re.compile(rf"(?:^|[-_])(?:{_BOILERPLATE_PARTS})(?:$|[-_])")
_SAFE_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:article|content|body|entry|post|story|text|main)(?:$|[-_])"
)
_BOILERPLATE_ROLES = {
    "banner",
    "navigation",
    "complementary",
    "contentinfo",
    "dialog",
    "alertdialog",
    "search",
}
_ARIA_RE = re.compile(r"cookie|consent|share|newsletter|breadcrumb|advert")


_IDENT_XPATH = etree.XPath(".//*[@class or @id or @role or @aria-label]")
# cheap prefilter on class/id; the token rules in _is_boilerplate_widget decide
_BOILERPLATE_PREFILTER_RE = re.compile(
    r"cookie|gdpr|consent|cmp|newsletter|subscri|sign-?up|shar|social|shariff|addthis|related|recommended|"
    r"crumb|respond|comment-?form|reply-title|author"
)


_SKIP_BOILERPLATE_TAGS = frozenset(
    ("html", "head", "body", "article", "main", "h1", "p", "script", "style", "meta", "link")
)


def _is_boilerplate_widget(el: HtmlElement) -> bool:
    """Class/id/role/aria say: cookie banner, share bar, newsletter box, related list, form..."""
    role = el.get("role")
    aria = el.get("aria-label")
    ident = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    # most elements fail here: no role/aria and no boilerplate-ish word in class or id
    if role is None and aria is None and not _BOILERPLATE_PREFILTER_RE.search(ident):
        return False
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag or tag in _SKIP_BOILERPLATE_TAGS:
        return False
    role = (role or "").lower()
    if role in _BOILERPLATE_ROLES:
        return True
    if (
        aria
        and _ARIA_RE.search(aria.lower())
        and (role == "region" or tag in ("div", "section", "aside", "nav", "ul", "form"))
    ):
        return True
    if not _BOILERPLATE_PREFILTER_RE.search(ident):
        return False
    tokens = ident.split()
    return any(_BOILERPLATE_TOKEN_RE.search(t) for t in tokens) and not any(
        _SAFE_TOKEN_RE.search(t) and not _BOILERPLATE_TOKEN_RE.search(t) for t in tokens
    )


def _boilerplate_nodes(
    tree: HtmlElement, protect: set[HtmlElement], page_text: str
) -> list[HtmlElement]:
    """Outermost boilerplate widgets; a container holding much of the page is a wrapper, not a widget."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    hits = [el for el in _IDENT_XPATH(root) if el not in protect and _is_boilerplate_widget(el)]
    total = len(page_text) or 1
    out: list[HtmlElement] = []
    accepted: set[HtmlElement] = set()
    for el in hits:  # document order: a rejected wrapper leaves its inner widgets eligible
        if any(anc in accepted for anc in el.iterancestors()):
            continue
        size = len(el.text_content())
        if size > 0.25 * total and size > 400:
            continue
        if el.xpath(".//*[@itemprop='articleBody']") or any(p in protect for p in el.iter("h1")):
            continue
        accepted.add(el)
        out.append(el)
    return out


class _BoilerplateLines:
    """Lines that occur on the page only inside boilerplate widgets.

    Membership is verified lazily, only for lines the main text actually contains: a line
    also found outside the widgets (a subheading repeated in a "related" box) stays.
    """

    def __init__(self, tree: HtmlElement) -> None:
        body = tree.find(".//body")
        self.page = _collapse_ws((body if body is not None else tree).text_content())
        nodes = _boilerplate_nodes(tree, set(tree.iter("h1")), self.page)
        self.inside = [_collapse_ws(node.text_content()) for node in nodes]
        self.candidates: dict[str, str] = {}
        for node in nodes:
            for line in block_text(node).split("\n"):
                line = " ".join(line.split())
                norm = _normalize_line(line)
                if norm and norm not in self.candidates:
                    self.candidates[norm] = line
        self._verdicts: dict[str, bool] = {}

    def __contains__(self, norm: object) -> bool:
        if not isinstance(norm, str) or norm not in self.candidates:
            return False
        if norm not in self._verdicts:
            line = self.candidates[norm]
            self._verdicts[norm] = self.page.count(line) <= sum(
                chunk.count(line) for chunk in self.inside
            )
        return self._verdicts[norm]


def _collapse_ws(text: str) -> str:
    """``re.sub(r"\\s+", " ", text)``, three times faster (whole pages go through it)."""
    out = " ".join(text.split())
    if not out:
        return " " if text else ""
    if text[0].isspace():
        out = " " + out
    if text[-1].isspace():
        out += " "
    return out


def _drop(nodes: list[HtmlElement]) -> None:
    for node in nodes:
        parent = node.getparent()
        if parent is None:
            continue
        tail = node.tail
        if tail and tail.strip():
            prev = node.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(node)


_BOILERPLATE_LINE_RE = re.compile(
    r"^(?:"
    # comment forms
    r"(?:leave|post|write|add|submit|join) (?:a|your|the|new) (?:comment|reply|response)s?|"
    r"(?:leave|post|write) a comment(?: cancel reply)?|cancel reply|reply to this comment|"
    r"(?:\d+ )?(?:comments?|responses?|replies)(?: \(\d+\))?|no comments(?: yet)?|be the first to comment|"
    r".*your email address will not be published.*|.*required fields are marked.*|"
    r"save my name, email,? and website in this browser.*|notify me of (?:new|follow-up) (?:comments|posts).*|"
    r"this site uses akismet to reduce spam.*|you must be logged in to post a comment.*|"
    r"comments? (?:are|is) closed.*|log in to (?:comment|reply)|"
    r"hinterlasse(?:n sie)? (?:einen|eine) (?:kommentar|antwort)|kommentar (?:schreiben|verfassen|hinzufügen)|"
    r".*e-mail-adresse wird nicht veröffentlicht.*|erforderliche felder sind mit .* markiert.*|"
    r"laisser un commentaire|votre adresse (?:e-mail|de messagerie) ne sera pas publiée.*|"
    r"deja un comentario|tu dirección de correo electrónico no será publicada.*|"
    # cookies
    r".*(?:we|this (?:web)?site) uses? cookies.*|(?:accept|allow|reject|manage) (?:all )?cookies|cookie (?:settings|policy|preferences)|"
    r".*diese (?:web)?seite verwendet cookies.*|.*wir verwenden cookies.*|"
    # share / newsletter / follow
    r"share(?: this)?(?: article| story| post| page)?(?: on| via)?(?: facebook| twitter| x| linkedin| whatsapp| email)?|"
    r"click to (?:share|email|print) .*|(?:share|teilen)(?: on| auf)? (?:facebook|twitter|linkedin|whatsapp|pinterest|e-?mail)|"
    r"(?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|email|e-mail|print|x)(?: ?[|,/·•] ?(?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|email|e-mail|print|x))+|"
    r"tweet|pin it|like this:?|share this:?|teilen:?|artikel teilen|diesen artikel teilen|"
    r"(?:sign up|subscribe|register) (?:for|to) (?:our|the) (?:free )?(?:daily |weekly )?newsletters?.*|"
    r"newsletter (?:abonnieren|bestellen|anmelden)|jetzt (?:newsletter )?abonnieren|"
    r"follow us on .*|related (?:articles|posts|stories)|you (?:may|might) also like|read more:?|advertisement|anzeige|"
    r"skip to (?:main )?content|zum inhalt springen"
    r")[\s.!:*]*$"
)
_BREADCRUMB_SEP_RE = re.compile(r"\s*(?:›|»|>|→|/|\||·|•|::)\s*")


def _clean_lines(
    text: str, headlines: list[str], comment_texts: set[str], boiler_lines: _BoilerplateLines | None
) -> list[str]:
    """Trafilatura's lines minus headline copies, boilerplate lines, comment text and repeats."""
    heads = {h for h in (_normalize_line(x) for x in headlines if x) if len(h) >= 5}
    out: list[str] = []
    last = ""
    for raw in text.split("\n"):
        line = re.sub(r"[ \t\u00a0]+", " ", raw).strip()
        if not line:
            continue
        norm = _normalize_line(line)
        if not norm:
            continue
        if norm in heads:
            continue
        if len(line) < 300 and heads and any(h in norm for h in heads):
            parts = [p for p in _BREADCRUMB_SEP_RE.split(line) if p.strip()]
            if len(parts) > 1 or norm.startswith(("home", "startseite", "accueil", "inicio")):
                continue
        if len(line) < 300 and _BOILERPLATE_LINE_RE.match(line.lower()):
            continue
        if comment_texts and norm in comment_texts:
            continue
        if boiler_lines is not None and norm in boiler_lines:
            continue
        if norm == last:
            continue
        last = norm
        out.append(line)
    return out


# ---------------------------------------------------------------------------
# article detection


_ARTICLE_OG_XPATH = etree.XPath("//meta[@property='og:type' or @name='og:type']/@content")
# one walk over the tree (a union of three paths walked it three times)
_ARTICLE_MARKUP_XPATH = etree.XPath(
    "//*[self::article or @itemprop='articleBody' or (@itemtype and ("
    "contains(@itemtype, 'schema.org/NewsArticle') or contains(@itemtype, 'schema.org/Article')"
    " or contains(@itemtype, 'schema.org/BlogPosting')))]"
)


def looks_like_article(tree_or_html: HtmlElement | bytes | str, url: str) -> bool:
    """Cheap guess whether a page is one article (not a section or index page)."""
    tree = tree_or_html if isinstance(tree_or_html, HtmlElement) else parse_html(tree_or_html)
    if tree is None:
        return False
    og = [v.strip().lower() for v in _ARTICLE_OG_XPATH(tree)]
    if any(v in ("article", "blogposting", "newsarticle") or v.startswith("article") for v in og):
        return True
    for obj in jsonld_objects(tree):
        if jsonld_types(obj) & _ARTICLE_TYPES:
            return True
    if og and any(v in ("website", "profile", "video.other") for v in og):
        return False
    for node in _ARTICLE_MARKUP_XPATH(tree):
        paragraphs = [p for p in node.iter("p") if len(p.text_content().strip()) > 80]
        if len(paragraphs) >= 3:
            return True
    return bool(
        url_date(url)
        and len([p for p in tree.iter("p") if len(p.text_content().strip()) > 80]) >= 2
    )


# ---------------------------------------------------------------------------
# main entry point


def _empty_article(url: str) -> dict[str, Any]:
    return {
        "url": url,
        "canonical_url": url,
        "title": None,
        "authors": [],
        "published": None,
        "modified": None,
        "date_source": None,
        "language": None,
        "description": None,
        "section": None,
        "tags": [],
        "image": None,
        "site_name": None,
        "text": "",
        "word_count": 0,
        "comments": [],
        "comments_status": STATUS_NONE,
        "is_article": False,
    }


_LANG_CODE_RE = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_]|$)")


def _page_language(tree: HtmlElement) -> str | None:
    """The page's language when all its declarations agree (two-letter code), else None."""
    codes = set()
    for value in (
        *tree.xpath(
            "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content"
        ),
        *tree.xpath("//meta[@property='og:locale']/@content"),
        tree.getroottree().getroot().get("lang") or "",
    ):
        match = _LANG_CODE_RE.match(str(value))
        if match:
            codes.add(match.group(1).lower())
    return codes.pop() if len(codes) == 1 else None


class _NoLangidWarning(logging.Filter):
    """trafilatura warns on every page with a target language when py3langid is absent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Language detector not installed")


_LANGID_FILTER = _NoLangidWarning()


def _main_text(tree: HtmlElement, url: str, options: ExtractionOptions) -> tuple[str, str]:
    # Imported on first use: the crawl process only needs options, hashes and
    # looks_like_article; trafilatura lives in the extraction workers.
    import trafilatura
    from trafilatura.settings import JUSTEXT_LANGUAGES

    traf_logger = logging.getLogger("trafilatura.utils")
    if _LANGID_FILTER not in traf_logger.filters:
        traf_logger.addFilter(_LANGID_FILTER)

    # A known page language gives trafilatura's justext fallback that language's stoplist
    # instead of the union of all 100 (≈30 MB per process, and less precise on the corpus).
    language = _page_language(tree)
    if language not in JUSTEXT_LANGUAGES:
        language = None
    kwargs: dict[str, Any] = {
        "url": url,
        "favor_precision": options.favor == "precision",
        "favor_recall": options.favor == "recall",
        # always: trafilatura then keeps comment-like blocks out of the body
        "include_comments": True,
        "include_tables": options.include_tables,
        "include_images": False,
        "include_links": False,
        "with_metadata": False,
        "deduplicate": False,
    }
    document = trafilatura.bare_extraction(tree, target_language=language, **kwargs)
    if document is None and language is not None:
        # a language check said no: extract without one rather than lose the page
        document = trafilatura.bare_extraction(tree, **kwargs)
    if document is None:
        return "", ""
    text = getattr(document, "text", None) or ""
    comments = getattr(document, "comments", None) or ""
    return text, comments


def extract_article(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    options: ExtractionOptions = ExtractionOptions(),
    hints: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Extract one page into a JSON-ready article dict (see issue 4 for the fields).

    ``hints`` holds discovery metadata (from a feed or sitemap: published, modified,
    title, author, language, via); it only fills fields the page itself lacks.
    """
    hints = dict(hints or {})
    html_text = decode_body(body, encoding)
    tree = _parse_text(html_text)
    if tree is None:
        article = _empty_article(url)
        article["title"] = _text(hints.get("title"))
        return article

    is_article = looks_like_article(tree, url)
    meta = _Meta(tree, url)
    info = _metadata(tree, url, meta, hints)
    dates = _dates(meta, tree, url, hints, options)
    attrs = page_attributes(tree)
    authors = _authors(meta, tree, hints, attrs)

    # Comment sections are located even when comments are not wanted: they are pruned
    # from the tree either way, so reader comments never end up in the body.
    result = CommentResult()
    try:
        # no `source` prefilter: lower-casing and scanning the whole page cost more than the
        # "comments closed" check it spared (it passes on most pages: "closed" is in CSS/JS)
        result = extract_comments(tree, url, ld_objects=meta.ld, attrs=attrs)
    except Exception:  # a bug in one markup family must not lose the article
        logger.exception("comment extraction failed on %s", url)

    # Boilerplate containers are only read here; their lines are subtracted from the text
    # afterwards, so trafilatura's own choice of the main block is left undisturbed.
    boiler_lines = _BoilerplateLines(tree) if options.prune_boilerplate else None
    # comment sections leave the tree before main-text extraction: comments never leak into the body
    _drop(_outermost(list(result.nodes)))
    text, flat = _main_text(tree, url, options)

    comments = [c.as_dict() for c in result.comments]
    status = result.status
    # the last fallback, except where the page says its comments load by JavaScript: what
    # trafilatura finds there is the widget's prompts ("activate your account to comment")
    if not comments and status != STATUS_NOT_IN_HTML and flat.strip():
        comments = [c.as_dict() for c in flat_comments(flat, url)]
        if comments:
            status = STATUS_OPEN
            result.method = "trafilatura"

    headlines = [
        info["title"],
        info["raw_title"],
        info["h1"],
        meta.first("og:title"),
        meta.first("twitter:title"),
    ]
    comment_texts = {_normalize_line(c["text"]) for c in comments if len(c["text"]) >= 20}
    paragraphs = _clean_lines(text, [h for h in headlines if h], comment_texts, boiler_lines)
    clean = "\n\n".join(paragraphs)
    if not info["title"] and hints.get("title"):
        info["title"] = _text(hints["title"])

    article = _empty_article(url)
    article.update(
        {
            "canonical_url": info["canonical_url"],
            "title": info["title"],
            "authors": authors,
            "published": dates["published"],
            "modified": dates["modified"],
            "date_source": dates["date_source"],
            "language": info["language"],
            "description": info["description"],
            "section": info["section"],
            "tags": info["tags"],
            "image": info["image"],
            "site_name": info["site_name"],
            "text": clean,
            "word_count": len(clean.split()),
            "comments": comments if options.comments else [],
            # null: comments were not asked for, so nothing is claimed about them
            "comments_status": status if options.comments else None,
            "comments_method": result.method if options.comments else None,
            "is_article": is_article,
        }
    )
    return article


def _outermost(nodes: list[HtmlElement]) -> list[HtmlElement]:
    chosen = set(nodes)
    out = []
    seen: set[HtmlElement] = set()
    for node in nodes:
        if node in seen:
            continue
        seen.add(node)
        if any(anc in chosen for anc in node.iterancestors()):
            continue
        out.append(node)
    return out


# ---------------------------------------------------------------------------
# process-pool worker side (crawler.pipelines.ExtractionPipeline); no Scrapy here, so a
# spawned worker imports only what extraction needs


def worker_init() -> None:
    """Pool initializer: import and warm up trafilatura; Ctrl-C is the parent's business."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # warm up lazily loaded parts (stoplists, xpaths, htmldate) so the first page is not slow
    extract_article(
        b'<html lang="en"><head><title>w</title></head><body><article><p>warm up text</p>'
        b"<p>published 3 March 2024</p></article></body></html>",
        "http://localhost/",
    )
    _CACHES.extend(_library_caches())
    # everything imported so far lives as long as the worker: keep it out of the cyclic GC
    gc.freeze()


def worker_ready() -> bool:
    """No-op job: submitting it makes the pool spawn (and initialise) a worker."""
    return True


def worker_extract(
    body: bytes, url: str, encoding: str | None, options: ExtractionOptions, hints: dict[str, Any]
) -> dict[str, Any]:
    """The pool job: extract one page, then give memory back."""
    try:
        return extract_article(body, url, encoding=encoding, options=options, hints=hints)
    finally:
        _release_memory()


# per-line text caches of trafilatura/htmldate (thousands of entries, ~20 MB per worker):
# emptied every CACHE_RESET_JOBS pages so a long crawl does not grow the workers
CACHE_RESET_JOBS = 25
# Heap pages go back to the OS every TRIM_JOBS pages. After every page, the next one
# faulted them all in again (7% of the worker's CPU on the corpus); every 16th page
# costs a fifth of that, with the same peak (the largest page sets it).
TRIM_JOBS = 16
_CACHES: list[Any] = []
_JOBS = 0
_MALLOC_TRIM: Any = None


def _library_caches() -> list[Any]:
    # justext's per-language stoplists are small and slow to rebuild: they stay
    caches = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("trafilatura", "htmldate", "courlan")):
            continue
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                caches.append(value)
    return caches


def _release_memory() -> None:
    """Empty text caches now and then, and hand freed heap pages back to the OS (glibc)."""
    global _MALLOC_TRIM, _JOBS
    _JOBS += 1
    if _JOBS % CACHE_RESET_JOBS == 0:
        for cache in _CACHES:
            cache.cache_clear()
    if _JOBS % TRIM_JOBS:
        return
    if _MALLOC_TRIM is None:
        try:
            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)
