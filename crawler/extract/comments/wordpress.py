"""WordPress comment markup: the core comment list and the wpDiscuz plugin."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.dom import HAS_CLASS, filter_family

_WP_LIST_XPATH = etree.XPath(
    "//*[self::ol or self::ul or self::dl or self::div]["
    + " or ".join(
        HAS_CLASS.format(c)
        for c in ("commentlist", "comment-list", "comments-list", "commentslist")
    )
    + "]"
)
_WP_ITEM_XPATH = etree.XPath(
    ".//*[self::li or self::dt][contains(concat(' ', normalize-space(@class), ' '), ' comment ') or starts-with(@id, 'comment-')"
    " or starts-with(@id, 'li-comment-')]"
)
# <div class="commentlist"> of <div class="comment">s (replies nested inside)
_WP_DIV_XPATH = etree.XPath(".//div[" + HAS_CLASS.format("comment") + "]")
# wpDiscuz, the most common WordPress comment plugin after the core list
_WPDISCUZ_XPATH = etree.XPath("//div[" + HAS_CLASS.format("wc-comment") + "]")


def wordpress_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Comment items of WordPress comment lists, pingbacks and trackbacks left out."""
    items: list[HtmlElement] = []
    for lst in _WP_LIST_XPATH(tree):
        # themes that class their items otherwise (<li class="commentpost">): every item
        # of the comment list is a comment (in a <dl>, the <dt> and the <dd>s after it)
        items.extend(
            _WP_ITEM_XPATH(lst) or lst.findall("li") or lst.findall("dt") or _WP_DIV_XPATH(lst)
        )
    return filter_family(items)


def wpdiscuz_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Comments of the wpDiscuz plugin."""
    return list(_WPDISCUZ_XPATH(tree))
