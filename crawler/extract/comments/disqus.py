"""Disqus and Discourse comment threads rendered into the page's HTML."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.dom import HAS_CLASS

_DISQUS_XPATH = etree.XPath(
    "//*[@id='disqus_thread' or @id='discourse-comments' or contains(@class, 'discourse-comments')]"
    "//*[(self::li or self::div or self::article) and ("
    + " or ".join(HAS_CLASS.format(c) for c in ("post", "topic-post", "crawler-post", "comment"))
    + ")]"
)


def disqus_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Posts of a Disqus or Discourse thread present in the HTML."""
    return list(_DISQUS_XPATH(tree))
