"""Structured reader-comment extraction (threaded) from a parsed HTML tree."""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.attrs import has_any, page_attributes
from crawler.extract.comments.disqus import disqus_elements
from crawler.extract.comments.dom import DomFamily
from crawler.extract.comments.drupal import drupal_elements
from crawler.extract.comments.flat import flat_comments
from crawler.extract.comments.generic import generic_elements
from crawler.extract.comments.jsonld import jsonld_comments
from crawler.extract.comments.microdata import microdata_elements
from crawler.extract.comments.model import (
    STATUS_CLOSED,
    STATUS_NONE,
    STATUS_NOT_IN_HTML,
    STATUS_OPEN,
    Comment,
    CommentResult,
    short_id,
)
from crawler.extract.comments.runs import anchor_runs
from crawler.extract.comments.section import SECTION_WORDS_RE
from crawler.extract.comments.status import empty_script_section, section_status
from crawler.extract.comments.tumblr import tumblr_comments
from crawler.extract.comments.wordpress import wordpress_elements, wpdiscuz_elements
from crawler.extract.jsonld import jsonld_objects

logger = logging.getLogger(__name__)

__all__ = [
    "STATUS_CLOSED",
    "STATUS_NONE",
    "STATUS_NOT_IN_HTML",
    "STATUS_OPEN",
    "Comment",
    "CommentResult",
    "extract_comments",
    "flat_comments",
    "short_id",
]


def extract_comments(
    tree: HtmlElement,
    url: str,
    *,
    ld_objects: list[dict[str, Any]] | None = None,
    source: str | None = None,
    attrs: str | None = None,
) -> CommentResult:
    """Find reader comments on a page, keep their threading, and say how the section looks.

    Reads the tree only; the caller prunes ``result.nodes`` before main-text extraction.
    Markup families whose tell-tale class/id names are absent are skipped without walking
    the tree; ``source`` (the page's HTML in lower case, if the caller has it) does the same
    for the "comments are closed" wording.
    """
    if ld_objects is None:
        ld_objects = jsonld_objects(tree)
    candidates: list[tuple[str, list[Comment], list[HtmlElement]]] = []
    if attrs is None:
        attrs = page_attributes(tree)

    ld_comments = jsonld_comments(ld_objects, url)
    if ld_comments:
        candidates.append(("json-ld", ld_comments, []))
    if has_any(attrs, "with_commentary", "answer_content"):
        notes, lists = tumblr_comments(tree, url)
        if notes:
            candidates.append(("tumblr", notes, lists))
    families: tuple[tuple[str, tuple[str, ...], Any], ...] = (
        (
            "microdata",
            ("schema.org/comment", "schema.org/usercomments", "comment"),
            microdata_elements,
        ),
        ("wordpress", ("commentlist", "comment-list", "comments-list"), wordpress_elements),
        ("wpdiscuz", ("wc-comment",), wpdiscuz_elements),
        ("drupal", (), drupal_elements),
        (
            "disqus-discourse",
            ("disqus_thread", "discourse-comments"),
            disqus_elements,
        ),
    )
    tokens = set(attrs.split())
    for method, words, finder in families:
        if method == "drupal":
            # whole class tokens, as the Drupal XPath matches them
            if not tokens & {"comment", "js-comment", "comment-item"}:
                continue
        elif not has_any(attrs, *words):
            continue
        try:
            elements = finder(tree)
        except (etree.XPathError, ValueError) as err:  # pragma: no cover - defensive
            logger.debug("comment family %s failed: %s", method, err)
            continue
        if not elements:
            continue
        # WordPress's list says what its items are: a comment may lack a name and a date
        family = DomFamily(
            elements, url, strict=method != "microdata", anonymous=method == "wordpress"
        )
        comments = family.comments()
        if comments:
            candidates.append((method, comments, family.section_nodes()))
    if not any(method != "json-ld" for method, _, _ in candidates) and SECTION_WORDS_RE.search(
        attrs
    ):
        elements = generic_elements(tree)
        if elements:
            family = DomFamily(elements, url)
            comments = family.comments()
            if comments:
                candidates.append(("generic", comments, family.section_nodes()))
        if not any(method != "json-ld" for method, _, _ in candidates):
            # no element per comment at all: runs of siblings after comment anchors
            elements, nodes = anchor_runs(tree)
            comments = DomFamily(elements, url).comments() if elements else []
            if comments:
                candidates.append(("generic", comments, nodes))

    result = CommentResult()
    if candidates:
        # the family that sees most comments wins; earlier (more structured) on ties
        method, comments, nodes = max(candidates, key=lambda c: len(c[1]))
        result.method, result.comments = method, comments
        # prune every family's nodes: comment markup never reaches the main text
        result.nodes = [n for _, _, ns in candidates for n in ns]
        if method == "json-ld":
            result.nodes.extend(nodes)
        result.status = STATUS_OPEN
        return result

    result.status, result.nodes = section_status(tree, attrs, source)
    result.empty_widget = result.status == STATUS_NONE and empty_script_section(tree, attrs)
    return result
