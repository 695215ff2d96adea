"""Is an element a comment section, or a sidebar widget (recent comments) that is not one?"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.extract.text import tag_name

_WIDGET_RE = re.compile(r"recent|widget|sidebar|latest|popular|most-|footer|teaser|related")


def in_widget(el: HtmlElement) -> bool:
    """Inside a sidebar/footer widget such as WordPress's "recent comments" list."""
    inside_section = False
    for depth, node in enumerate((el, *el.iterancestors())):
        tag = tag_name(node)
        if tag in ("aside", "nav", "footer"):
            return True
        # page-level classes ("has-sidebar" on <body>) say nothing about this block, nor
        # does the layout around an enclosing comment area ("allCommentsArea" inside a
        # "cssSimilarTeaserArea" row)
        if inside_section or depth > 3 or tag in ("body", "html"):
            continue
        if _WIDGET_RE.search(f"{node.get('id') or ''} {node.get('class') or ''}".lower()):
            return True
        if depth and _SECTION_RE.search(_section_ident(node)):
            inside_section = True
    return False


# matched against lower-cased class/id strings (re.I alternation is slow on every element)
_SECTION_RE = re.compile(
    r"(^|[-_ ])(comments?|kommentare?|commentaires?|comentarios?|commenti|komentarze?|kommentarer|"
    r"reacties|reactions|discussion|responses|replies)"
    # run-together names: usercomments, allcomments, leserkommentare
    r"|[a-z](comments|kommentare)\b"
)


_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


# what every _SECTION_RE match contains ("comment" also covers "commentaire", "comentario"
# does not: it is listed)
SECTION_WORDS_RE = re.compile(
    "comment|kommentar|komentarz|comentario|reacties|reactions|discussion|responses|replies"
)


def _section_ident(el: HtmlElement) -> str:
    """id and class, lower-cased, camel-case words split: "ShareBarCommentsList" counts too."""
    return _CAMEL_RE.sub(" ", f"{el.get('id') or ''} {el.get('class') or ''}").lower()


def looks_like_comment_section(el: HtmlElement) -> bool:
    """Named like a comment section and not holding the article itself."""
    raw = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    # most elements: none of the words at all, so no need to split camel case
    if not SECTION_WORDS_RE.search(raw) or not _SECTION_RE.search(_section_ident(el)):
        return False
    # a section wrapper never holds the article itself
    return el.find(".//h1") is None and not el.xpath(".//*[@itemprop='articleBody']")
