"""Captions of the article's own pictures, put back into its text beside the paragraphs they illustrate."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.extract.text import clean_inline

__all__ = ["with_captions"]

# A caption that is only a credit or a pointer says nothing about the picture.
_CREDIT_RE = re.compile(
    r"^[(\[]?(?:photo|image|picture|source|courtesy|credit|via|front page|view (?:photo|gallery))",
    re.I,
)
# The article paragraph beside a caption is recognised by its first characters.
_KEY_CHARS = 80
CAPTION_MIN_WORDS = 6
# captions never make up more than this share of the text (a gallery page is not its captions)
CAPTION_MAX_SHARE = 0.25


def with_captions(tree: HtmlElement, paragraphs: list[str]) -> list[str]:
    """``paragraphs`` with the captions of pictures inside the article, each before the
    paragraph that follows its picture (trafilatura drops captions with the pictures).

    A caption counts when its picture sits beside one of the article's paragraphs (the same
    parent element), it has a few words, is not a bare credit and occurs once on the page.
    """
    if not paragraphs:
        return paragraphs
    outer = _caption_nodes(tree)
    if not outer:
        return paragraphs
    texts = [clean_inline(n.text_content()) for n in outer]
    text = "\n".join(paragraphs)
    inserts: list[tuple[int, str]] = []
    for node, caption in zip(outer, texts, strict=True):
        if (
            len(caption.split()) < CAPTION_MIN_WORDS
            or len(caption) > 400
            or texts.count(caption) > 1
            or caption in text
            or _CREDIT_RE.match(caption)
            or (caption.startswith("(") and caption.endswith(")"))
        ):
            continue
        where = _paragraph_after(node, paragraphs)
        if where is not None:
            inserts.append((where, caption))
    if not inserts or sum(len(c) for _, c in inserts) > CAPTION_MAX_SHARE * len(text):
        return paragraphs
    out = list(paragraphs)
    for where, caption in sorted(inserts, key=lambda x: x[0], reverse=True):
        out.insert(where, caption)
    return out


def _caption_nodes(tree: HtmlElement) -> list[HtmlElement]:
    """Captions beside paragraphs: a <figure>'s <figcaption>, or an element with "caption" in
    its class, among the children of a <p>'s parent or grandparent (cheaper than a search of
    the whole tree for the class)."""
    out: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is None or parent in seen:
            continue
        seen.add(parent)
        grandparent = parent.getparent()
        children = list(parent)
        if grandparent is not None and grandparent not in seen:
            # a picture just outside the paragraphs' box (the figure above the story's body)
            seen.add(grandparent)
            children.extend(grandparent)
        for child in children:
            tag = child.tag
            if tag == "figure":
                out.extend(child.iter("figcaption"))
            elif tag == "figcaption" or "caption" in (child.get("class") or "").lower():
                out.append(child)
    chosen = set(out)
    # once each, the outermost: a caption box and the caption paragraph inside it are one
    return [n for n in dict.fromkeys(out) if not any(a in chosen for a in n.iterancestors())]


def _paragraph_after(node: HtmlElement, paragraphs: list[str]) -> int | None:
    """Index of the article paragraph the caption goes before (``len(paragraphs)``: at the
    end), or None when no paragraph of the article sits beside the caption."""
    parent = node.getparent()
    if parent is not None and parent.tag == "figure":
        # a <figcaption>'s picture is the <figure>: its neighbours are the figure's
        node, parent = parent, parent.getparent()
    if parent is None:
        return None
    passed = False
    last_before: int | None = None
    for el in parent.iter():
        if el is node:
            passed = True
            continue
        if el.tag != "p" or (passed and any(a is node for a in el.iterancestors())):
            continue
        key = clean_inline(el.text_content())[:_KEY_CHARS]
        if len(key) < _KEY_CHARS:
            continue
        index = next((i for i, p in enumerate(paragraphs) if key in p), None)
        if index is None:
            continue
        if passed:
            return index
        last_before = index + 1
    return last_before
