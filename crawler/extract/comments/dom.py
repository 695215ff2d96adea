"""Comment blocks in the DOM -> Comments: author, date, text, permalink, threading, section nodes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.byline import (
    BYLINE_HINT_RE,
    BYLINE_TAGS,
    RELATIVE_TIME_RE,
    SAYS_HINT_RE,
    SAYS_TAGS,
    byline_author,
    byline_parts,
    says_name,
    signature_date,
)
from crawler.extract.comments.model import Comment, short_id
from crawler.extract.comments.printed import byline_of, clean_comment_text
from crawler.extract.comments.section import looks_like_comment_section
from crawler.extract.dates import iso_with_zone, parse_text_date
from crawler.extract.text import block_text, class_set, clean_inline, tag_name

# a class word as XPath: "comment" matches class="a comment b", not "comments"
HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"

# Class tests inside a candidate comment block can ignore case: "CommentAuthorName" and
# "cssCommentText" (camel-cased class names) then match like "comment-author" and
# "comment-text". See _Selectors for when.
_LC_CLASS = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"


def case_insensitive(xpath: str) -> str:
    """``xpath`` with every ``contains(@class, 'lower-case word')`` made case-insensitive."""
    return xpath.replace("contains(@class, ", f"contains({_LC_CLASS}, ")


class _Selectors:
    """XPaths in two builds: as written, and with case-insensitive class tests.

    The case-insensitive build costs a translate() per word per element, so it is used only
    for a comment block whose class names have capitals at all (see `_has_capitals`).
    """

    def __init__(self, xpaths: tuple[str, ...]) -> None:
        self.exact = tuple(etree.XPath(x) for x in xpaths)
        self.any_case = tuple(etree.XPath(case_insensitive(x)) for x in xpaths)

    def __call__(self, any_case: bool) -> tuple[etree.XPath, ...]:
        return self.any_case if any_case else self.exact


_CAPITAL_CLASS_XPATH = etree.XPath(
    "boolean(descendant-or-self::*[@class != " + _LC_CLASS + "])", smart_strings=False
)


def _has_capitals(el: HtmlElement) -> bool:
    """Some class name in or under ``el`` has a capital letter ("cssCommentText")."""
    return bool(_CAPITAL_CLASS_XPATH(el))


_AUTHOR_SELECTORS = _Selectors(
    (
        ".//*[@itemprop='author']//*[@itemprop='name']",
        ".//*[@itemprop='author']",
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]",
        ".//*[contains(@class, 'comment-author') or contains(@class, 'comment__author')"
        " or contains(@class, 'comment_author') or contains(@class, 'commentauthor')]",
        # "autor" (de, pl, es, pt; it "autore"), "auteur" (fr)
        ".//*[contains(@class, 'author') or contains(@class, 'autor') or contains(@class, 'auteur')"
        " or contains(@class, 'username') or contains(@class, 'user-name')"
        " or contains(@class, 'byline') or contains(@class, 'creator') or contains(@class, 'poster')"
        " or contains(@class, 'nick') or contains(@class, 'pseudo')]",
        # Slashdot and others: <span class="by">by Name</span>
        ".//*[" + HAS_CLASS.format("by") + "]",
        ".//cite",
        # WordPress's comment author link (get_comment_author_link), also in custom themes
        ".//a[contains(@rel, 'external')][contains(@class, 'url')]",
        ".//*[contains(@class, 'name') or contains(@class, 'user')]",
    )
)
_DATE_SELECTORS = _Selectors(
    (
        ".//*[@itemprop='dateCreated' or @itemprop='datePublished' or @itemprop='commentTime' or @itemprop='dateModified']",
        ".//time",
        ".//*[contains(@class, 'comment-metadata') or contains(@class, 'commentmetadata')"
        " or contains(@class, 'comment-date') or contains(@class, 'comment__time') or contains(@class, 'comment-time')]",
        ".//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'meta')"
        " or contains(@class, 'submitted')]",
    )
)
_TEXT_SELECTORS = _Selectors(
    (
        ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='articleBody']",
        ".//*[contains(@class, 'comment-content') or contains(@class, 'comment__content') or contains(@class, 'comment-text')"
        " or contains(@class, 'comment_text') or contains(@class, 'commenttext') or contains(@class, 'comment-body__content')"
        " or contains(@class, 'field--name-comment-body') or contains(@class, 'post-message')"
        " or contains(@class, 'comment-entry') or contains(@class, 'cooked')"
        " or contains(@class, 'comment_body') or contains(@class, 'commentbody')]",
        ".//*[contains(@class, 'content') or contains(@class, 'message') or contains(@class, 'text')"
        " or contains(@class, 'body')]",
    )
)
# parts of a comment block that are not its text: class words (any case), itemprops, tags
_META_CLASS_WORDS = (
    "comment-meta",
    "commentmetadata",
    "comment__meta",
    "post-meta",
    "author",
    "autor",
    "auteur",
    "reply",
    "comment-footer",
    "comment-actions",
    "links",
    "vcard",
    "avatar",
    "byline",
    "submitted",
    "permalink",
    "comment-date",
    "comment_time",
    "comment-time",
    "timestamp",
)
# class words of a comment's name-and-date line ("cmtinfo"), unless it wraps the text too
_META_LINE_WORDS = ("info",)
_META_ITEMPROPS = frozenset(("author", "dateCreated", "datePublished"))
_META_TAGS = frozenset(("footer", "header", "time", "cite", "h3", "h4"))


def _meta_nodes(root: HtmlElement) -> list[HtmlElement]:
    """Descendants of ``root`` (document order) that hold a comment's metadata, not its text.

    Python rather than XPath: a case-insensitive class test in XPath needs a translate()
    per word per element, which cost more than the rest of comment extraction.
    """
    out = []
    for node in root.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        if node.tag in _META_TAGS or node.get("itemprop") in _META_ITEMPROPS:
            out.append(node)
            continue
        cls = (node.get("class") or "").lower()
        if not cls:
            continue
        if any(word in cls for word in _META_CLASS_WORDS) or (
            any(word in cls for word in _META_LINE_WORDS) and node.find(".//p") is None
        ):
            out.append(node)
    return out


_PERMALINK_XPATH = etree.XPath(
    case_insensitive(
        ".//a[@href][contains(@href, '#comment') or contains(@href, '#c') or contains(@href, 'comment-')"
        " or contains(@class, 'permalink') or @rel='bookmark' or @itemprop='url' or contains(@href, '#post')]"
    )
)
# a comment's own subject line (SB Nation's h5.comment_title, Slashdot's div.title)
_TITLE_XPATH = etree.XPath(
    case_insensitive(
        ".//*[contains(@class, 'comment_title') or contains(@class, 'comment-title')"
        " or contains(@class, 'commenttitle') or contains(@class, 'comment-subject')"
        " or " + HAS_CLASS.format("title") + "]"
    )
)
_SAYS_RE = re.compile(
    r"\s*(says|said|sagt|dit|a dit|dice|dijo|disse|schreibt|wrote|schrieb|zegt|scrive|napisał|napisala)"
    r"\s*(?::|\.\.\.|…)?\s*$",
    re.I,
)
# "[…] a few lines quoted from the post that links here […]": a pingback, not a reader
PINGBACK_EXCERPT_RE = re.compile(r"^\[(?:\.\.\.|…)\].*\[(?:\.\.\.|…)\]\W*$", re.S)

_LEADING_URL_RE = re.compile(r"^https?://\S+\s+(?=\S)")
_BY_RE = re.compile(r"^(by|von|par|por|di)\s+", re.I)
COMMENT_ID_RE = re.compile(r"(?:^|[-_])(?:li-)?(?:comment|c|post)[-_]?(\d+)$", re.I)


# containers of the replies to a comment, inside it
REPLIES_CLASSES = frozenset(("children", "indented", "replies", "comment-replies"))


def _replies_in(root: HtmlElement) -> set[HtmlElement]:
    """The containers of replies under ``root`` (not ``root`` itself): no part of its text."""
    return {n for n in root.iter() if n is not root and class_set(n) & REPLIES_CLASSES}


class DomFamily:
    """Turns a set of comment elements into Comments with threading from the DOM structure."""

    def __init__(
        self, elements: list[HtmlElement], url: str, *, strict: bool = True, anonymous: bool = False
    ) -> None:
        self.url = url
        # strict: a form is no comment, and a block needs an author or a date to count as
        # one unless `anonymous` and its class or id says it is a comment
        self.strict = strict
        self.anonymous = anonymous
        # keep document order, drop duplicates
        seen: set[HtmlElement] = set()
        self.elements = []
        for el in elements:
            if el not in seen:
                seen.add(el)
                self.elements.append(el)
        self.members = set(self.elements)
        # the element each comment sits in, if it is the first comment there
        self._wrapped: dict[HtmlElement, HtmlElement] = {}
        for el in self.elements:
            wrapper = el.getparent()
            if wrapper is not None:
                self._wrapped.setdefault(wrapper, el)
        self._any_case: dict[HtmlElement, bool] = {}
        self._posted_by: dict[HtmlElement, tuple[str | None, str | None, HtmlElement | None]] = {}
        self._says: dict[HtmlElement, tuple[str | None, HtmlElement | None]] = {}
        # <dl> threads: a <dt> comment owns the <dd>s after it (text, date, footer)
        self._dd_owner: dict[HtmlElement, HtmlElement] = {}
        self._dds: dict[HtmlElement, list[HtmlElement]] = {}
        for el in self.elements:
            if tag_name(el) == "dt":
                dds = []
                sib = el.getnext()
                while sib is not None and (not isinstance(sib.tag, str) or tag_name(sib) == "dd"):
                    if isinstance(sib.tag, str) and sib not in self.members:
                        dds.append(sib)
                        self._dd_owner[sib] = el
                    sib = sib.getnext()
                self._dds[el] = dds

    def _roots(self, el: HtmlElement) -> list[HtmlElement]:
        return [el, *self._dds.get(el, ())]

    def any_case(self, el: HtmlElement) -> bool:
        """Whether ``el``'s class names need case-insensitive tests (computed once)."""
        known = self._any_case.get(el)
        if known is None:
            known = self._any_case[el] = _has_capitals(el)
        return known

    def owner(self, node: HtmlElement) -> HtmlElement | None:
        """Nearest comment element containing ``node`` (exclusive of node itself)."""
        parent = node.getparent()
        while parent is not None:
            if parent in self.members:
                return parent
            if parent in self._dd_owner:
                return self._dd_owner[parent]
            parent = parent.getparent()
        return None

    def own(self, el: HtmlElement, nodes: Iterable[HtmlElement]) -> Iterator[HtmlElement]:
        """Nodes that belong to ``el`` and not to a comment nested in it."""
        for node in nodes:
            if node not in self.members and self.owner(node) is el:
                yield node

    def parent_of(self, el: HtmlElement) -> HtmlElement | None:
        owner = self.owner(el)
        # Drupal-style: replies sit in a div.indented right after their parent
        node = el.getparent()
        while node is not None and node is not owner:
            cls = class_set(node)
            if cls & {
                "indented",
                "children",
                "replies",
                "comment-replies",
                "comments-replies",
                "sub-comments",
            }:
                prev = node.getprevious()
                while (
                    prev is not None
                    and (prev not in self.members)
                    and tag_name(prev) in ("a", "span")
                ):
                    prev = prev.getprevious()
                if prev is not None and prev in self.members:
                    return prev
                break
            node = node.getparent()
        if owner is None:
            # a comment and its replies side by side in a wrapper of their own
            # (<div class="citem"><div class="comment">A</div><div class="citem">B...):
            # the comment before this one's wrapper in the enclosing wrapper is the parent
            wrapper = el.getparent()
            outer = wrapper.getparent() if wrapper is not None else None
            if outer is not None:
                held = self._wrapped.get(outer)
                if held is not None and outer.index(held) < outer.index(wrapper):
                    return held
        return owner

    def _marked(self, el: HtmlElement) -> bool:
        """With `anonymous`: the markup itself says ``el`` is a comment (class or id)."""
        return self.anonymous and (
            "comment" in class_set(el) or bool(COMMENT_ID_RE.search(el.get("id") or ""))
        )

    def _time_ago(self, el: HtmlElement) -> bool:
        """A short line dates ``el`` relative to the page ("added 1 day ago"): unpinned, a date."""
        nodes = self.own(el, el.iter("span", "small", "time", "div", "p", "a"))
        lines = (clean_inline(node.text_content()) for node in nodes)
        return any(len(line) <= 40 and RELATIVE_TIME_RE.search(line) for line in lines)

    def raw_id(self, el: HtmlElement) -> str | None:
        """The id attribute the page uses for this comment (the permalink anchor)."""
        for value in (el.get("id"), el.get("data-comment-id"), el.get("data-id"), el.get("itemid")):
            if value:
                return value[3:] if value.startswith("li-") else value
        prev = el.getprevious()
        if prev is not None and tag_name(prev) == "a" and (prev.get("id") or prev.get("name")):
            return prev.get("id") or prev.get("name")
        for anchor in self.own(el, el.iterfind(".//*[@id]")):
            value = anchor.get("id") or ""
            if COMMENT_ID_RE.search(value):
                return value
        return None

    def author(self, el: HtmlElement) -> tuple[str | None, HtmlElement | None]:
        for selector in _AUTHOR_SELECTORS(self.any_case(el)):
            for node in self.own(el, (n for root in self._roots(el) for n in selector(root))):
                if node.find(".//p") is not None:
                    continue  # a block of paragraphs (class="comment-body name-ann") is no name
                name = node.get("content") or clean_inline(node.text_content())
                link = node.find(".//a")
                if link is not None and (len(name) > 40 or parse_text_date(name)):
                    # a whole line ("by Ann on Aug 9, 2012 reply"): its link is the name
                    name = clean_inline(link.text_content())
                name = _BY_RE.sub("", _SAYS_RE.sub("", name)).strip(" :-–|")
                # "http://twitter.com/ann Ann Reader": the profile's address before the name
                name = _LEADING_URL_RE.sub("", name)
                if name and len(name) <= 80:
                    return name, _says_line_around(node, el)
        name, _, node = self.posted_by(el)
        if name:
            return name, node
        name, node = self._says_line(el)
        if name:
            return name, node
        if el in self._dds and "author" in (el.get("class") or "").lower():
            # Blogger: <dt class="comment-author"><a>Name</a> said...</dt>
            name = _SAYS_RE.sub("", clean_inline(el.text_content())).strip(" :-–|")
            if name and len(name) <= 80:
                return name, None
        return None, None

    def posted_by(self, el: HtmlElement) -> tuple[str | None, str | None, HtmlElement | None]:
        """Name, date text and node of a "Posted by: Name | date" line in ``el`` (computed once)."""
        known = self._posted_by.get(el)
        if known is None:
            known = self._posted_by[el] = self._find_posted_by(el)
        return known

    def _says_line(self, el: HtmlElement) -> tuple[str | None, HtmlElement | None]:
        """The name and node of a short "<h3>Ann Reader says:</h3>" line in ``el`` (computed once)."""
        known = self._says.get(el)
        if known is None:
            known = self._says[el] = self._find_says_line(el)
        return known

    def _find_says_line(self, el: HtmlElement) -> tuple[str | None, HtmlElement | None]:
        if not SAYS_HINT_RE.search(el.text_content()):
            return None, None
        for node in self.own(el, el.iter(SAYS_TAGS)):
            name = says_name(clean_inline(node.text_content()))
            if name:
                return name, node
        return None, None

    def _find_posted_by(self, el: HtmlElement) -> tuple[str | None, str | None, HtmlElement | None]:
        if not BYLINE_HINT_RE.search(el.text_content()):
            return None, None, None
        for node in self.own(el, (n for root in self._roots(el) for n in root.iter(BYLINE_TAGS))):
            text = node.text_content()
            if len(text) <= 200:
                parts = byline_parts(text)
                if parts:
                    return parts[0], parts[1], node
        return None, None, None

    def published(self, el: HtmlElement) -> tuple[str | None, HtmlElement | None]:
        for selector in _DATE_SELECTORS(self.any_case(el)):
            for node in self.own(el, (n for root in self._roots(el) for n in selector(root))):
                for value in (
                    node.get("datetime"),
                    node.get("content"),
                    node.get("title"),
                    node.text_content(),
                ):
                    date = iso_with_zone(value) if value else None
                    if date:
                        return date, node
        _, written, node = self.posted_by(el)
        date = parse_text_date(written) if written else None
        if date:
            return date, node
        _, node = self._says_line(el)
        date = parse_text_date(clean_inline(node.text_content())) if node is not None else None
        if date:
            return date, node
        # a bare date-like line in the block (generic markup)
        for node in self.own(el, el.iter("span", "small", "div", "p", "a", "em", "h3", "h4", "h5")):
            date = signature_date(" ".join(node.text_content().split()))
            if date:
                return date, node
        return None, None

    def text(self, el: HtmlElement, skip: set[HtmlElement]) -> str:
        if self._dds.get(el):
            # <dl> threads (Thesis, Blogger): the <dt> has number, author and date, the first
            # <dd> after it what the reader wrote (a second one is its footer)
            body = self._dds[el][0]
            # replies nested in the <dd> (<dl class="children">) are not its text
            return block_text(body, exclude=skip | set(_meta_nodes(body)) | _replies_in(body))
        nested = self.members - {el}
        for selector in _TEXT_SELECTORS(self.any_case(el)):
            for node in self.own(el, selector(el)):
                if node in skip or any(node in s.iterancestors() for s in skip if s is not None):
                    continue
                text = block_text(
                    node, exclude=nested | skip | set(self.own(el, _meta_nodes(node)))
                )
                if len(text) >= 2:
                    return text
        exclude = nested | skip | set(self.own(el, _meta_nodes(el))) | _replies_in(el)
        return block_text(el, exclude=exclude)

    def printed_byline(self, el: HtmlElement, text: str, title: str | None) -> str | None:
        """``el``'s lines around its text as printed (see `printed.byline_of`); replies left out."""
        roots = self._roots(el)
        exclude = self.members - {el}
        for root in roots:
            exclude |= _replies_in(root)
        lines = (line for root in roots for line in block_text(root, exclude=exclude).split("\n"))
        return byline_of(lines, text, title)

    def title(self, el: HtmlElement) -> str | None:
        """The subject line the reader gave the comment, if the markup has one.

        Automatic subjects ("Re: ...") and the first words of the text repeated as its title
        are not what the reader wrote.
        """
        for node in self.own(el, _TITLE_XPATH(el)):
            link = node.find(".//a")
            title = clean_inline((link if link is not None else node).text_content())
            if (
                not title
                or title.lower().startswith("re:")
                or len(title) > 300
                or (len(title) <= 40 and parse_text_date(title))
            ):
                return None  # no subject, an automatic one, or a date line
            return title
        return None

    def permalink(self, el: HtmlElement, cid: str | None) -> str | None:
        for node in self.own(el, _PERMALINK_XPATH(el)):
            href = node.get("href") or ""
            if (
                (cid and cid in href)
                or "comment" in href.lower()
                or "permalink" in (node.get("class") or "")
            ):
                return urljoin(self.url, href)
        if cid:
            return f"{self.url.split('#', 1)[0]}#{cid}"
        return None

    def comments(self) -> list[Comment]:
        out: list[Comment] = []
        ids: dict[HtmlElement, str] = {}
        # a page may render its comments twice (lists "most recent" and "highest rated")
        first: dict[tuple[str | None, str | None, str], str] = {}
        for index, el in enumerate(self.elements, start=1):
            anchor = self.raw_id(el)
            cid = short_id(anchor)
            if self.strict and is_form_like(el):
                continue
            author, author_node = self.author(el)
            published, date_node = self.published(el)
            text = clean_comment_text(
                self.text(el, {n for n in (author_node, date_node) if n is not None})
            )
            if PINGBACK_EXCERPT_RE.match(text):
                continue  # "[…] quoted from the linking post […]": a pingback
            title = self.title(el)
            body = text
            if title and title not in text and title != author:
                # a remark may be all in its subject line (SB Nation, forums)
                text = f"{title}\n\n{text}" if text else title
            if not text:
                continue  # nothing written
            if self.strict and not (author or published or self._marked(el) or self._time_ago(el)):
                continue
            byline = self.printed_byline(el, body, title)
            if not author and byline:
                # named only in words around the text ("Ann — July 18th, 2012, 3:09 am")
                author = byline_author(byline)
            if cid is not None and (cid, author, text) in first:
                # the same comment again: its replies thread to the first one
                ids[el] = first[cid, author, text]
                continue
            ids[el] = first[cid, author, text] = cid or f"c{index}"
            parent = self.parent_of(el)
            # skip parents that had no text (deleted comments) up to the next kept ancestor
            while parent is not None and parent not in ids:
                parent = self.parent_of(parent)
            out.append(
                Comment(
                    id=ids[el],
                    parent_id=ids.get(parent) if parent is not None else None,
                    author=author,
                    published=published,
                    byline=byline,
                    text=text,
                    permalink=self.permalink(el, anchor),
                )
            )
        return out

    def section_nodes(self) -> list[HtmlElement]:
        """Outermost ancestors of the comments that still only hold the comment section."""
        roots = [el for el in self.elements if self.owner(el) is None]
        out: list[HtmlElement] = []
        for root in roots:
            node = root
            parent = node.getparent()
            size = len(node.text_content())
            while (
                parent is not None
                and looks_like_comment_section(parent)
                and tag_name(parent) not in ("body", "html")
            ):
                # a wrapper that adds much more than a heading and a form is not the
                # comment section (class="entry has-comments" around the article)
                parent_size = len(parent.text_content())
                if parent_size > size + 1500:
                    break
                node, size = parent, parent_size
                parent = node.getparent()
            if all(node is not o and node not in o.iterdescendants() for o in out):
                out = [o for o in out if o not in node.iterdescendants()]
                out.append(node)
        return out


def _says_line_around(node: HtmlElement, el: HtmlElement) -> HtmlElement:
    """The "<p><strong><a>Ann</a></strong> said,</p>" line around an author node, if any:
    the whole line is the comment's header, not its text."""
    for depth, parent in enumerate(node.iterancestors()):
        if parent is el or depth >= 2:
            break
        if tag_name(parent) in SAYS_TAGS and says_name(clean_inline(parent.text_content())):
            return parent
    return node


FORM_CONTROL_XPATH = etree.XPath(
    "self::label | .//label | .//textarea | .//input[not(@type='hidden')] | .//select | self::textarea"
)


def is_form_like(el: HtmlElement) -> bool:
    """Comment forms and their fields are not comments (a comment may carry a hidden reply form)."""
    if any(tag_name(anc) == "form" for anc in el.iterancestors()):
        return True
    if not FORM_CONTROL_XPATH(el):
        return False
    # what a reader wrote is outside any form: a form's own lines ("Fill in your details
    # below") do not make a reply box (<div id="respond"> around a <form>) a comment
    written = [
        p
        for p in el.iter("p", "div")
        if len((p.text or "").strip()) > 20
        and not FORM_CONTROL_XPATH(p)
        and not any(tag_name(anc) == "form" for anc in p.iterancestors())
    ]
    return not written


def filter_family(elements: list[HtmlElement], exclude_pingbacks: bool = True) -> list[HtmlElement]:
    """``elements`` without pingbacks and trackbacks (links from other sites, not readers)."""
    out = []
    for el in elements:
        cls = class_set(el)
        if exclude_pingbacks and cls & {"pingback", "trackback"}:
            continue
        out.append(el)
    return out
