"""Comments marked up with schema.org microdata (Comment, UserComments)."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

_MICRODATA_XPATH = etree.XPath(
    "//*[@itemscope and (contains(@itemtype, 'schema.org/Comment') or contains(@itemtype, 'schema.org/UserComments')"
    " or (@itemprop='comment' and contains(@itemtype, 'schema.org/')))]"
)


def microdata_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Elements marked up as schema.org Comment or UserComments."""
    return list(_MICRODATA_XPATH(tree))
