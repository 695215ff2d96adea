"""Drupal-style comment markup: elements classed ``comment`` with replies in ``div.indented``."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.dom import HAS_CLASS, filter_family

_DRUPAL_XPATH = etree.XPath(
    "//*[@class][(self::article or self::div or self::li or self::section)"
    " and ("
    + " or ".join(HAS_CLASS.format(c) for c in ("comment", "js-comment", "comment-item"))
    + ")]"
)


def drupal_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Elements classed ``comment`` that are not the article's own wrapper."""
    out = []
    for el in _DRUPAL_XPATH(tree):
        # must look like a comment: some text beyond its metadata and not an article wrapper
        if el.find(".//h1") is not None or el.xpath(".//*[@itemprop='articleBody']"):
            continue
        out.append(el)
    return filter_family(out)
