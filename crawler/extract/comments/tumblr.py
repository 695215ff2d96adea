"""Tumblr's notes under a post: the replies and the reblogs that added a remark."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.comments.dom import HAS_CLASS
from crawler.extract.comments.model import Comment
from crawler.extract.text import block_text, class_set, clean_inline

# {PostNotes} renders the same list on every Tumblr blog:
# <ol class="notes"><li class="note reblog tumblelog_ann with_commentary">...
_NOTES_XPATH = etree.XPath(
    "//ol[" + HAS_CLASS.format("notes") + "]/li[" + HAS_CLASS.format("note") + "]"
)
_ANSWER_XPATH = etree.XPath(".//*[" + HAS_CLASS.format("answer_content") + "]")
_TUMBLELOG_PREFIX = "tumblelog_"


def tumblr_comments(tree: HtmlElement, url: str) -> tuple[list[Comment], list[HtmlElement]]:
    """Notes that say something (replies, reblogs with commentary) and the notes lists.

    Likes and bare reblogs are no comments; they are left out, as are "more notes" links.
    """
    comments: list[Comment] = []
    lists: list[HtmlElement] = []
    for note in _NOTES_XPATH(tree):
        classes = class_set(note)
        if "reply" in classes:
            bodies = _ANSWER_XPATH(note)
        elif "reblog" in classes and "with_commentary" in classes:
            bodies = note.findall(".//blockquote")
        else:
            continue
        text = "\n\n".join(t for t in (block_text(b) for b in bodies) if t)
        if not text:
            continue
        link = bodies[0].find(".//a[@href]")
        comments.append(
            Comment(
                id=f"c{len(comments) + 1}",
                parent_id=None,
                author=_author(note, classes),
                published=None,
                byline=_action_line(note, bodies),
                text=text,
                # a reblog's remark lives in the reblogging post
                permalink=urljoin(url, link.get("href")) if link is not None else None,
            )
        )
        notes = note.getparent()
        if notes is not None and notes not in lists:
            lists.append(notes)
    return comments, lists


def _action_line(note: HtmlElement, bodies: list[HtmlElement]) -> str | None:
    """The note's line as printed, its remark left out: "ann reblogged this from news and
    added:", "dee said:"."""
    action = note.find(".//*[@class='action']")
    if action is None:
        return None
    return clean_inline(block_text(action, exclude=set(bodies))) or None


def _author(note: HtmlElement, classes: set[str]) -> str | None:
    """The blog's name: its link in the note's action line, else the note's tumblelog_ class."""
    for link in note.iterfind(".//*[@class='action']//a"):
        name = clean_inline(link.text_content())
        if name:
            return name
    for cls in classes:
        if cls.startswith(_TUMBLELOG_PREFIX) and len(cls) > len(_TUMBLELOG_PREFIX):
            return cls[len(_TUMBLELOG_PREFIX) :]
    return None
