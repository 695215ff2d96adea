"""Comments without an element of their own: the run of siblings after each comment's anchor.

Old Movable Type and TypePad templates print a comment as an empty anchor (``<a id="c101">``),
its paragraphs, and a "Posted by: Name | date" line, all side by side in the page's column.
"""

from __future__ import annotations

import copy
import re

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.byline import BYLINE_HINT_RE
from crawler.extract.text import tag_name

_ANCHOR_XPATH = etree.XPath("//a[@id or @name][not(*)][not(normalize-space())]")
# a comment's anchor: "c63886394", "comment-12" (not "post-12": the posts of a blog's index)
_ANCHOR_ID_RE = re.compile(r"^(?:c|comment)[-_]?\d+$", re.I)
# what ends the last comment of a run when no "Posted by" line does
_STOP_TAGS = frozenset(("h1", "h2", "h3", "h4", "form", "script"))


def anchor_runs(tree: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """One detached ``<div id=anchor>`` per comment (copies of its run) and the page's nodes
    that hold them (anchors and runs, to keep them out of the main text).

    Only a parent with at least two comment anchors counts; a run ends at the next anchor,
    right after its "Posted by" line, or at a heading or form.
    """
    by_parent: dict[HtmlElement, list[HtmlElement]] = {}
    for anchor in _ANCHOR_XPATH(tree):
        ident = anchor.get("id") or anchor.get("name") or ""
        parent = anchor.getparent()
        if parent is not None and _ANCHOR_ID_RE.match(ident):
            by_parent.setdefault(parent, []).append(anchor)
    if not by_parent:
        return [], []
    anchors = max(by_parent.values(), key=len)
    if len(anchors) < 2:
        return [], []
    starts = set(anchors)
    comments: list[HtmlElement] = []
    nodes: list[HtmlElement] = []
    for anchor in anchors:
        run: list[HtmlElement] = []
        sib = anchor.getnext()
        while sib is not None and sib not in starts:
            if isinstance(sib.tag, str):
                if tag_name(sib) in _STOP_TAGS or sib.find(".//form") is not None:
                    break
                run.append(sib)
                if BYLINE_HINT_RE.match(sib.text_content().strip()):
                    break
            sib = sib.getnext()
        if not run:
            continue
        wrapper = tree.makeelement("div", {"id": anchor.get("id") or anchor.get("name") or ""})
        for node in run:
            wrapper.append(copy.deepcopy(node))
        comments.append(wrapper)
        nodes.extend((anchor, *run))
    return comments, nodes
