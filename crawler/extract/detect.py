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
    if og and any(v in ("profile", "video.other", "product") for v in og):
        return False
    if "website" in og:
        # many CMSes say "website" on every page, articles too: only the page itself decides
        long_paragraphs = [p for p in tree.iter("p") if len(p.text_content().strip()) > 80]
        return _headline_text_and_date(tree, long_paragraphs)
    for node in _ARTICLE_MARKUP_XPATH(tree):
        paragraphs = [p for p in node.iter("p") if len(p.text_content().strip()) > 80]
        if len(paragraphs) >= 3:
            return True
    long_paragraphs = [p for p in tree.iter("p") if len(p.text_content().strip()) > 80]
    if url_date(url) and len(long_paragraphs) >= 2:
        return True
    return _headline_text_and_date(tree, long_paragraphs)


# a date or a byline somewhere: meta tags, <time>, or a short element named like one
_DATE_OR_BYLINE_XPATH = etree.XPath(
    "boolean(//time | //meta[contains(@property, 'published') or contains(@name, 'date')"
    " or contains(@itemprop, 'date') or @name='author' or @property='article:author']"
    " | //*[@itemprop='datePublished' or @itemprop='author' or @rel='author']"
    " | //*[@class][contains(@class, 'date') or contains(@class, 'byline')"
    " or contains(@class, 'author') or contains(@class, 'posted') or contains(@class, 'datum')]"
    "[string-length(normalize-space()) < 120][string-length(normalize-space()) > 3])"
)
_TEASER_XPATH = etree.XPath("//article | //h2[.//a] | //h3[.//a]")


def _headline_text_and_date(tree: HtmlElement, long_paragraphs: list[HtmlElement]) -> bool:
    """One headline, a substantial text of its own and a date or byline: an article, in
    whatever markup (no <article>, no structured data, no date in the URL).

    Home, section, tag and author pages fail on the text (teasers are short, and mostly
    links) or on their many linked headings.
    """
    h1s = tree.xpath("//h1")
    if not 1 <= len(h1s) <= 2:
        return False
    own = []
    for p in long_paragraphs:
        text = p.text_content().strip()
        linked = sum(len(a.text_content()) for a in p.iter("a"))
        if linked < len(text) / 2:
            own.append(len(text))
    if len(own) < 4 or sum(own) < 1200:
        return False
    # a linked heading for every other paragraph: teasers of a listing
    teasers = len(_TEASER_XPATH(tree))
    if teasers > 3 and teasers * 2 >= len(own):
        return False
    return bool(_DATE_OR_BYLINE_XPATH(tree))
