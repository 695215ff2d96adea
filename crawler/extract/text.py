"""Text helpers shared by metadata, boilerplate and comments: block text, whitespace, line keys."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lxml.html import HtmlElement

_BLOCK_TAGS = frozenset(
    "p div li ul ol blockquote pre h1 h2 h3 h4 h5 h6 section article header footer table tr dd dt dl figure".split()
)
SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "button", "form", "svg", "iframe", "select"]
)
_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def tag_name(el: Any) -> str:
    """Lower-case tag of an element; "" for comments and processing instructions."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def block_text(el: HtmlElement, exclude: set[Any] | None = None) -> str:
    """Text of ``el`` with block elements as paragraphs separated by a blank line.

    Elements in ``exclude`` (and script/style/forms) are skipped with their subtree.
    """
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = tag_name(node)
        if tag in SKIP_TAGS or (exclude and node in exclude):
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n\n")
        elif tag == "br":
            parts.append("\n")
        elif tag == "img":
            parts.append(emoticon_text(node))
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n\n")

    walk(el)
    raw = "".join(parts)
    paragraphs = []
    for para in re.split(r"\n\s*\n", raw):
        lines = [_WS_RE.sub(" ", line).strip() for line in para.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


# smileys as images (WordPress's "wp-smiley", emoji images): their alt text is what was typed
_EMOTICON_CLASS_RE = re.compile(r"smil(?:ey|ie)|emoji|emoticon")
_EMOTICON_ALT_RE = re.compile(r"^[:;=8xX]-?[()DPpOo3|/\\\[\]*@$]{1,3}$")


def emoticon_text(img: HtmlElement) -> str:
    """The alt text of a smiley or emoji image (" :D"), or ""."""
    alt = (img.get("alt") or "").strip()
    if not alt or len(alt) > 8:
        return ""
    if _EMOTICON_CLASS_RE.search((img.get("class") or "").lower()) or _EMOTICON_ALT_RE.match(alt):
        return f" {alt} "
    return ""


def clean_inline(text: str | None) -> str:
    """``text`` on one line, runs of spaces collapsed."""
    return _WS_RE.sub(" ", (text or "").replace("\n", " ")).strip()


def class_set(el: HtmlElement) -> set[str]:
    """The lower-cased class names of ``el``."""
    return set((el.get("class") or "").lower().split())


_QUOTES = {
    ord(k): v
    for k, v in {"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'}.items()
}


def normalize_line(text: str) -> str:
    """A line's comparison key: NFKC, case-folded, quotes straightened, spaces and edge punctuation trimmed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_QUOTES)
    text = " ".join(text.split())  # runs of whitespace (NBSP too) -> one space, ends stripped
    return text.strip(" .!?:;,\"'*-–—")
