"""Cheap guess whether a page is one article (not a section or index page)."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.dates import url_date
from crawler.extract.jsonld import ARTICLE_LD_TYPES, jsonld_objects, jsonld_types
from crawler.extract.parse import parse_page

_ARTICLE_OG_XPATH = etree.XPath("//meta[@property='og:type' or @name='og:type']/@content")
# one walk over the tree (a union of three paths walked it three times)
_ARTICLE_MARKUP_XPATH = etree.XPath(
    "//*[self::article or @itemprop='articleBody' or (@itemtype and ("
    "contains(@itemtype, 'schema.org/NewsArticle') or contains(@itemtype, 'schema.org/Article')"
    " or contains(@itemtype, 'schema.org/BlogPosting')))]"
)


def looks_like_article(tree_or_html: HtmlElement | bytes | str, url: str) -> bool:
    """Cheap guess whether a page is one article (not a section or index page)."""
    tree = tree_or_html if isinstance(tree_or_html, HtmlElement) else parse_page(tree_or_html)
    if tree is None:
        return False
    og = [v.strip().lower() for v in _ARTICLE_OG_XPATH(tree)]
    if any(v in ("article", "blogposting", "newsarticle") or v.startswith("article") for v in og):
        return True
    for obj in jsonld_objects(tree):
        if jsonld_types(obj) & ARTICLE_LD_TYPES:
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
