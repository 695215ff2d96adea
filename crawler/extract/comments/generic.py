"""Comments in unknown markup: repeated blocks with an author inside a comment-section container."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.byline import BYLINE_HINT_RE, SAYS_HINT_RE, SAYS_TAGS, says_name
from crawler.extract.comments.dom import (
    COMMENT_ID_RE,
    REPLIES_CLASSES,
    case_insensitive,
    is_form_like,
)
from crawler.extract.comments.section import SECTION_WORDS_RE, in_widget, looks_like_comment_section
from crawler.extract.text import SKIP_TAGS, class_set, clean_inline, tag_name

_IDENT_XPATH = etree.XPath("//*[@class or @id]")


def generic_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Repeated blocks with an author inside containers named like a comment section."""
    best: list[HtmlElement] = []
    seen: set[tuple[HtmlElement, frozenset[str] | None]] = set()
    for container in _IDENT_XPATH(tree):
        # cheap word test first: most elements' names have none of the words
        if not SECTION_WORDS_RE.search(
            f"{container.get('id') or ''} {container.get('class') or ''}".lower()
        ):
            continue
        if not isinstance(container.tag, str) or tag_name(container) in (
            "body",
            "html",
            "head",
            "form",
            "script",
        ):
            continue
        if not looks_like_comment_section(container) or in_widget(container):
            continue
        # one comment of a list (<li id="comment-11">, <dt class="comment">) whose section
        # has no comment-like name: the list is the container; so is the parent of an
        # element with a comment's id around the block (<div id="c101"><div
        # class="comment-body">)
        only: frozenset[str] | None = None
        for node in (container, container.getparent()):
            parent = node.getparent() if node is not None else None
            if parent is None:
                break
            if _single_comment(node) and (
                sum(1 for sib in parent if sib.tag == node.tag and _single_comment(sib)) >= 2
            ):
                container = parent
                break
            if node is container and _repeated_sibling(node, parent):
                # comment blocks side by side under an unnamed parent (<div class="commentbody
                # by-ann">, <div class="commentbody by-bob">): those blocks, not their neighbours
                container, only = parent, _section_words(node)
                break
        if (container, only) in seen:
            continue
        seen.add((container, only))
        blocks = _repeated_blocks(container, only)
        if len(blocks) > len(best):
            best = blocks
    return best


def _section_words(el: HtmlElement) -> frozenset[str]:
    """The class words of ``el`` that name a comment ("commentbody", "comments-body"), without
    those that vary per comment: WordPress marks the post author's replies with
    "comment-author-<login>", and they are comments of the same list."""
    return frozenset(
        c
        for c in class_set(el)
        if SECTION_WORDS_RE.search(c.lower()) and not _VARYING_CLASS_RE.search(c)
    )


def _repeated_sibling(el: HtmlElement, parent: HtmlElement) -> bool:
    """``el`` is one of several siblings with its tag and comment-like class words."""
    words = _section_words(el)
    if not words:
        return False
    return sum(1 for sib in parent if sib.tag == el.tag and _section_words(sib) == words) >= 2


def _single_comment(el: HtmlElement) -> bool:
    """A list item, an <article> or an element with a comment id: one comment, not a wrapper."""
    return tag_name(el) in ("li", "article") or bool(COMMENT_ID_RE.search(el.get("id") or ""))


# class words that alternate or mark single comments: not what makes blocks alike
_VARYING_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:even|odd|alt|first|last|bypostauthor|byuser|highlight|highlighted|featured"
    r"|new|unread|active|selected|reply|parent|has-children|collapsed|expanded)(?:$|[-_])"
    r"|^comment-author-"
)


def _repeated_blocks(
    container: HtmlElement, only: frozenset[str] | None = None
) -> list[HtmlElement]:
    """Blocks with an author repeated in ``container`` (those classed ``only``, if given)."""
    # descend through single-child wrappers and lists, but not into the one comment of
    # a list that has only one (<ul class="comment-items"><li id="comment-1446">)
    node = container
    for _ in range(4):
        children = [
            c for c in _children(node) if isinstance(c.tag, str) and tag_name(c) not in SKIP_TAGS
        ]
        if len(children) == 1 and not _single_comment(children[0]):
            node = children[0]
        else:
            break
    groups: dict[tuple[str, frozenset[str], bool], list[HtmlElement]] = {}
    # Drupal: the replies to a comment in a <div class="indented"> right after it
    beside: list[HtmlElement] = []
    for child in _children(node):
        if isinstance(child.tag, str) and class_set(child) & REPLIES_CLASSES:
            beside.append(child)
            continue
        if (
            not isinstance(child.tag, str)
            or tag_name(child) in SKIP_TAGS
            or tag_name(child) in ("h2", "h3", "h4", "a")
            # a list holds comments, and is one comment only when it has a comment's id
            or (tag_name(child) in ("ul", "ol") and not COMMENT_ID_RE.search(child.get("id") or ""))
            # links from other sites, not readers
            or class_set(child) & {"pingback", "trackback"}
            or (only is not None and _section_words(child) != only)
        ):
            continue
        # blocks alike: the same tag and comment-like class words, or else the same class
        # words without those that vary per comment ("by-ann", "even", "depth-2")
        words = _section_words(child) or frozenset(
            c
            for c in class_set(child)
            if not re.search(r"\d", c) and not _VARYING_CLASS_RE.search(c)
        )
        key = (tag_name(child), words, bool(COMMENT_ID_RE.search(child.get("id") or "")))
        groups.setdefault(key, []).append(child)
    best: list[HtmlElement] = []
    for (tag, words, with_id), blocks in groups.items():
        if words:
            # blocks that add a class word of their own to the group's ("comment_item
            # superuser_comment" among "comment_item"s: a badge) are comments of the group
            blocks = blocks + [
                b
                for (t, w, i), bs in groups.items()
                if t == tag and i == with_id and w > words
                for b in bs
            ]
        with_author = [
            b
            for b in blocks
            if (_has_author(b) or _anchored(b))
            # a <dt> comment's remark is in the <dd> after it
            and sum(len(clean_inline(x.text_content())) for x in (b, *_dds_after(b)[:1])) >= 15
            # a comment may carry a button or a hidden reply form; a form has no written text
            and not is_form_like(b)
        ]
        if len(with_author) >= max(1, len(blocks) // 2) and len(with_author) > len(best):
            best = with_author
    # nested replies inside the blocks
    nested: list[HtmlElement] = []
    if best:
        for replies in beside:
            nested.extend(_repeated_blocks(replies))
    # replies may also sit anywhere inside their parent, named like it (<div class="commentbody
    # child"> in the parent's text)
    family = (best[0].tag, _section_words(best[0])) if best else None
    for block in best:
        # a <dt> comment's replies sit in the <dd>s after it (<dd><dl class="children">)
        stack = [*block, *_dds_after(block)]
        while stack:
            sub = stack.pop()
            if not isinstance(sub.tag, str):
                continue
            if class_set(sub) & REPLIES_CLASSES:
                # the outermost replies container only: the call finds the deeper ones
                nested.extend(_repeated_blocks(sub))
                continue
            if family and family[1] and (sub.tag, _section_words(sub)) == family:
                nested.append(sub)
            stack.extend(sub)
    return sorted(best + nested, key=_doc_order_key())


def _dds_after(el: HtmlElement) -> list[HtmlElement]:
    """The <dd>s following a <dt> up to the next <dt> (none for other elements)."""
    out: list[HtmlElement] = []
    if tag_name(el) != "dt":
        return out
    sib = el.getnext()
    while sib is not None and (not isinstance(sib.tag, str) or tag_name(sib) == "dd"):
        if isinstance(sib.tag, str):
            out.append(sib)
        sib = sib.getnext()
    return out


def _children(node: HtmlElement) -> list[HtmlElement]:
    """Child elements, those of a <noscript> or a comment list in their place: comments
    rendered for readers without JavaScript (beside an empty widget) are the page's comments."""
    out: list[HtmlElement] = []
    for child in node:
        if isinstance(child.tag, str) and (
            child.tag == "noscript"
            # a comment list beside an intro line (<dl id="comment_list">): its items
            or (
                child.tag in ("ul", "ol", "dl")
                and SECTION_WORDS_RE.search(
                    f"{child.get('id') or ''} {child.get('class') or ''}".lower()
                )
                and not COMMENT_ID_RE.search(child.get("id") or "")
            )
        ):
            out.extend(c for c in child if isinstance(c.tag, str))
        else:
            out.append(child)
    return out


def _doc_order_key() -> Any:
    order: dict[HtmlElement, int] = {}

    def key(el: HtmlElement) -> int:
        if not order:
            for i, node in enumerate(el.getroottree().iter()):
                order[node] = i
        return order.get(el, 0)

    return key


_AUTHOR_HINT_XPATH = etree.XPath(
    case_insensitive(
        "descendant-or-self::*[@itemprop='author' or contains(@class, 'author') or contains(@class, 'autor')"
        " or contains(@class, 'auteur') or contains(@class, 'user')"
        " or contains(@class, 'name') or contains(@class, 'fn') or contains(@class, 'byline')"
        " or contains(@class, 'nick') or contains(@class, 'pseudo') or contains(@class, 'poster')"
        " or contains(concat(' ', normalize-space(@class), ' '), ' by ')"
        " or self::cite or self::a[contains(@rel, 'external')][contains(@class, 'url')]]"
    )
)


def _anchored(el: HtmlElement) -> bool:
    """Right after an empty anchor with a numbered name (<a name="90977"></a>): a permalink
    target, as each comment of a list has one."""
    prev = el.getprevious()
    if prev is None or tag_name(prev) != "a" or len(prev) or (prev.text or "").strip():
        return False
    return any(ch.isdigit() for ch in (prev.get("name") or prev.get("id") or ""))


def _has_author(el: HtmlElement) -> bool:
    # a name in the markup, or in words ("Posted by: Ann | March 3, 2012", "Ann said,")
    if _AUTHOR_HINT_XPATH(el):
        return True
    text = el.text_content()
    if BYLINE_HINT_RE.search(text):
        return True
    return bool(SAYS_HINT_RE.search(text)) and any(
        says_name(clean_inline(node.text_content())) for node in el.iter(SAYS_TAGS)
    )
