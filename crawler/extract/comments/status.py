"""The state of a page's comment section when no comments were found: closed, open, or loaded by JavaScript."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.attrs import has_any
from crawler.extract.comments.model import (
    STATUS_CLOSED,
    STATUS_NONE,
    STATUS_NOT_IN_HTML,
    STATUS_OPEN,
)
from crawler.extract.comments.section import SECTION_WORDS_RE, in_widget, looks_like_comment_section
from crawler.extract.text import clean_inline

# names only comment widgets use
_JS_WIDGET_RE = re.compile(
    r"disqus|DiscourseEmbed|discourse-embed|commento|hyvor-talk|hyvor\.com|utteranc\.es|giscus|remark42|cusdis|"
    r"graphcomment|intensedebate|fb-comments|facebook\.com/plugins/comments|coralproject|coral-embed",
    re.I,
)
# generic embed names: only with the word "comment" nearby
_JS_WEAK_WIDGET_RE = re.compile(
    r"\bisso\b|vuukle|spot\.im|openweb|viafoura|livefyre|coral|talk\.js", re.I
)
_JS_CONTAINER_XPATH = etree.XPath(
    # the first predicate spares the string tests on the many elements without these
    "//*[@id or @class or @data-spotim-module][@id='disqus_thread' or @id='discourse-comments' or @id='coral_thread' or @id='commento'"
    " or @id='hyvor-talk-view' or @id='isso-thread' or @id='remark42' or @id='cusdis_thread'"
    " or contains(@class, 'fb-comments') or contains(@class, 'giscus') or contains(@class, 'utterances')"
    " or contains(@class, 'disqus') or contains(@class, 'vuukle') or contains(@id, 'spot-im')"
    " or @data-spotim-module]"
)
_CLOSED_RE = re.compile(
    r"comments? (are|is) (now )?closed|commenting (is )?(closed|disabled)|comments? (have been|has been) closed|"
    r"closed for comments|kommentare (sind )?geschlossen|kommentarfunktion (ist )?(geschlossen|deaktiviert)|"
    r"les commentaires sont fermés|commentaires fermés|los comentarios están cerrados|comentarios cerrados|"
    r"i commenti sono chiusi|commenti chiusi"
)
# class names that mark a closed comment section (case-sensitive, as in _CLOSED_XPATH)
_CLOSED_CLASSES = (
    "comments-closed",
    "no-comments",
    "nocomments",
    "comments-disabled",
    "comment-closed",
)
_CLOSED_XPATH = etree.XPath(
    "//*[@class][contains(@class, 'comments-closed') or contains(@class, 'no-comments') or contains(@class, 'nocomments')"
    " or contains(@class, 'comments-disabled') or contains(@class, 'comment-closed')]"
)
_FORM_XPATH = etree.XPath(
    "//*[@id or @class][@id='respond' or @id='commentform' or contains(@class, 'comment-form') or contains(@class, 'comment-respond')"
    " or contains(@id, 'comment-form') or contains(@id, 'comments-form') or contains(@class, 'comments-area')]"
)


# substrings one of which any "closed" signal contains
_CLOSED_WORDS = (
    "closed",
    "geschlossen",
    "deaktiviert",
    "fermé",
    "cerrados",
    "chiusi",
    "disabled",
    "no-comments",
    "nocomments",
)
# container names of JS widgets (see _JS_CONTAINER_XPATH), for the source prefilter
_JS_CONTAINER_WORDS = (
    "discourse-comments",
    # the weaker names of _JS_WEAK_WIDGET_RE
    "coral",
    "isso",
    "openweb",
    "viafoura",
    "livefyre",
    "talk.js",
    "spot.im",
    "coral_thread",
    "isso-thread",
    "spot-im",
    "spotim",
    "vuukle",
    "utterances",
    "cusdis",
)


def _closed(tree: HtmlElement, attrs: str | None = None) -> bool:
    """A "comments are closed" marker: by class name, or short text saying so.

    ``attrs`` (the page's class/id values, lower-cased) lets the class search be skipped
    when none of those names occurs at all.
    """
    for node in _CLOSED_XPATH(tree) if has_any(attrs, *_CLOSED_CLASSES) else ():
        text = clean_inline(node.text_content())
        if not text or _CLOSED_RE.search(text.lower()):
            return True
    # short text directly in a block (not a sentence in a paragraph of the article)
    for node in tree.iter("p", "div", "span", "h3", "h4", "em", "strong", "li"):
        text = node.text
        if text and len(text) < 120 and _CLOSED_RE.search(text.lower()):
            return True
    return False


_JS_WIDGET_WORDS = (
    "disqus",
    "discourseembed",
    "discourse-embed",
    "commento",
    "hyvor-talk",
    "hyvor.com",
    "utteranc.es",
    "giscus",
    "remark42",
    "cusdis",
    "graphcomment",
    "intensedebate",
    "fb-comments",
    "facebook.com/plugins/comments",
    "coralproject",
    "coral-embed",
)


def _js_widget(tree: HtmlElement) -> bool:
    if _JS_CONTAINER_XPATH(tree):
        return True
    chunks = []
    for script in tree.iter("script"):
        chunks.append(script.get("src") or "")
        body = script.text or ""
        if len(body) < 20000:
            chunks.append(body)
    scripts = "\n".join(chunks).lower()
    if any(word in scripts for word in _JS_WIDGET_WORDS):
        return True
    # generic embed names count only in a script that also talks about comments
    if "comment" in scripts and _JS_WEAK_WIDGET_RE.search(scripts):
        return any(
            _JS_WEAK_WIDGET_RE.search(chunk) and "comment" in chunk.lower()
            for chunk in chunks
            if chunk
        )
    return False


# OpenWeb/Spot.IM mounts on a data attribute, not on a class or id
_SPOTIM_XPATH = etree.XPath("boolean(//*[@data-spotim-module])")
_SCRIPTS_XPATH = etree.XPath("//script/@src | //script/text()", smart_strings=False)


def section_status(
    tree: HtmlElement, attrs: str, source: str | None = None
) -> tuple[str, list[HtmlElement]]:
    """How a page's comment section looks when no comments were found, and its form nodes.

    ``attrs`` is the page's attribute string (`page_attributes`); ``source`` (the page's HTML
    in lower case, if the caller has it) spares the search for "comments are closed" wording.
    The form nodes are pruned before main-text extraction, like comment sections.
    """
    forms = (
        list(_FORM_XPATH(tree))
        if has_any(
            attrs, "respond", "commentform", "comment-form", "comments-form", "comments-area"
        )
        else []
    )
    status = STATUS_NONE
    if (
        has_any(attrs, *_JS_CONTAINER_WORDS, *_JS_WIDGET_WORDS)
        or _SPOTIM_XPATH(tree)
        or has_any(" ".join(_SCRIPTS_XPATH(tree)).lower(), *_JS_WIDGET_WORDS, *_JS_CONTAINER_WORDS)
    ):
        if _js_widget(tree):
            status = STATUS_NOT_IN_HTML
    if status == STATUS_NONE:
        if has_any(source, *_CLOSED_WORDS) and _closed(tree, attrs):
            status = STATUS_CLOSED
        elif forms:
            status = STATUS_OPEN
    return status, forms


_IDENT_XPATH = etree.XPath("//body//*[@id or @class]")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def empty_script_section(tree: HtmlElement, attrs: str) -> bool:
    """An in-house comment widget: a comment section that is empty in the HTML, with a
    ``data-*`` mount point or a script that names comments, so JavaScript fills it."""
    if not SECTION_WORDS_RE.search(attrs):
        return False
    scripts: str | None = None
    for el in _IDENT_XPATH(tree):
        ident = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
        if not SECTION_WORDS_RE.search(ident) or not looks_like_comment_section(el):
            continue
        if in_widget(el):
            continue
        text = "".join(
            "" if node.tag in _HEADING_TAGS else (node.text or "") + " "
            for node in el.iter()
            if isinstance(node.tag, str)
        )
        if len(" ".join(text.split())) > 40:
            continue
        if any(attr.startswith("data-") for node in el.iter() for attr in node.attrib):
            return True
        if scripts is None:
            scripts = " ".join(str(v) for v in _SCRIPTS_XPATH(tree)).lower()
        if "comment" in scripts:
            return True
    return False
