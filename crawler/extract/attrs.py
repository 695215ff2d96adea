"""The page's class/id/itemtype/itemprop values: a cheap test before walking the tree."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement


def has_any(text: str | None, *words: str) -> bool:
    """Cheap substring check; without a text to check every check passes."""
    return text is None or any(word in text for word in words)


_ATTRS_XPATH = etree.XPath("//@id | //@class | //@itemtype | //@itemprop", smart_strings=False)


def page_attributes(tree: HtmlElement) -> str:
    """The page's id, class, itemtype and itemprop values, lower-cased, in one string.

    A few KB that tell which markup can be present at all: a word missing here spares a
    walk over the whole tree (XPath's ``contains()`` is case-sensitive, so this is a
    superset test).
    """
    return " ".join(_ATTRS_XPATH(tree)).lower()
