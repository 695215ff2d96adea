"""When an article was published and modified: JSON-LD, meta tags, time elements, hints, URL, text."""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.dates import iso_with_zone, parse_text_date, url_date
from crawler.extract.metadata import PageMeta, outside_comments, text_value
from crawler.extract.options import ExtractionOptions

logger = logging.getLogger(__name__)


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
    from htmldate import find_date  # lazy, like trafilatura in core._main_text

    # captions date pictures, not the article: out of htmldate's sight while it looks
    captions = [(el.getparent(), el) for el in tree.iter("figure", "figcaption")]
    captions = [(parent, el) for parent, el in captions if parent is not None]
    detached = []
    for parent, el in captions:
        if el.getparent() is parent:  # not inside an already detached figure
            detached.append((parent, parent.index(el), el))
            parent.remove(el)
    try:
        found = find_date(
            tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d", url=url
        )
    except Exception as err:  # htmldate raises assorted errors on odd pages
        logger.debug("htmldate failed on %s: %s", url, err)
        found = None
    finally:
        for parent, index, el in reversed(detached):
            parent.insert(index, el)
    if found:
        return iso_with_zone(found)
    for node in _DATEISH_XPATH(tree):
        text = " ".join(node.text_content().split())
        if 6 <= len(text) <= 80 and outside_comments(node) and not in_caption(node):
            date = parse_text_date(text)
            if date:
                return date
    return None


def in_caption(node: HtmlElement) -> bool:
    """``node`` is in an image or video caption: a date there dates the picture, not the article."""
    for el in (node, *node.iterancestors()):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("figcaption", "figure"):
            return True
        ident = el.get("class") or ""
        if "caption" in ident.lower() or "credit" in ident.lower():
            return True
    return False


_ZONE_SUFFIX_LEN = len("+00:00")


def _zoned(value: str, meta: PageMeta, tree: HtmlElement) -> str:
    """``value`` with the UTC offset another source of the page gives for the same local time.

    A JSON-LD ``datePublished`` without zone next to an ``article:published_time`` (or a
    ``<time datetime>``) with one is one instant: the zone is not thrown away.
    """
    if len(value) != len("2024-01-01T00:00:00") or "T" not in value:
        return value  # a date alone, or a zone already
    candidates: list[Any] = [
        *meta.all(*_PUBLISHED_META, *_MODIFIED_META),
        *(
            obj.get(key)
            for obj in meta.ld_articles
            for key in ("datePublished", "dateModified", "dateCreated")
        ),
    ]
    candidates += [node.get("datetime") for node in tree.iter("time")]
    for raw in candidates:
        other = iso_with_zone(text_value(raw)) if raw else None
        if other and len(other) == len(value) + _ZONE_SUFFIX_LEN and other.startswith(value):
            return other
    return value


def find_dates(
    meta: PageMeta, tree: HtmlElement, url: str, hints: dict[str, Any], options: ExtractionOptions
) -> dict[str, Any]:
    """Published and modified dates, and where the published date came from (``date_source``)."""
    published = modified = None
    source = None
    value = meta.ld_first("datePublished", "dateCreated", "uploadDate")
    if value is not None:
        published = iso_with_zone(text_value(value))
        source = "json-ld" if published else None
    if not published:
        published = iso_with_zone(meta.first(*_PUBLISHED_META))
        source = "meta" if published else None
    if not published:
        for node in [
            *_TIME_PUBLISHED_XPATH(tree),
            *_TIME_ANY_XPATH(tree),
            *_ITEMPROP_PUBLISHED_XPATH(tree),
        ]:
            if not outside_comments(node) or in_caption(node):
                continue
            published = iso_with_zone(
                node.get("datetime")
                or node.get("content")
                or node.get("title")
                or node.text_content()
            )
            if published:
                source = "time-element"
                break
    modified = iso_with_zone(text_value(meta.ld_first("dateModified"))) or iso_with_zone(
        meta.first(*_MODIFIED_META)
    )
    if not modified:
        for node in _TIME_MODIFIED_XPATH(tree):
            modified = iso_with_zone(node.get("datetime") or node.get("content"))
            if modified:
                break
    if published and source in ("json-ld", "meta", "time-element"):
        published = _zoned(published, meta, tree)
    if modified:
        modified = _zoned(modified, meta, tree)
    if modified and published and modified == published:
        modified = None  # "modified" at the publication instant is no modification
    via = str(hints.get("via") or "").lower()
    hint_source = (
        "sitemap"
        if via == "sitemap" or (hints.get("lastmod") and not hints.get("published"))
        else "feed"
    )
    if not published and hints.get("published"):
        published = iso_with_zone(hints["published"])
        source = hint_source if published else None
    if not published:
        published = url_date(url)
        source = "url" if published else None
    if not published and options.date_text_search:
        published = _text_date(tree, url)
        source = "text" if published else None
    if not modified and (hints.get("modified") or hints.get("lastmod")):
        modified = iso_with_zone(hints.get("modified") or hints.get("lastmod"))
    return {"published": published, "modified": modified, "date_source": source}
