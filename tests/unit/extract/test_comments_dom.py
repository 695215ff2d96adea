"""Reading one comment block: author class names."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page


def test_nicknames_and_pseudonyms_name_comment_authors() -> None:
    body = (
        '<div id="comments">'
        + "".join(
            f'<div class="reaction"><span class="{cls}">{name}</span>'
            f"<p>{text}</p><small>12/03/2024</small></div>"
            for cls, name, text in (
                ("pseudo", "Camille", "Je ne suis pas du tout d'accord avec cet article."),
                ("nickname", "bob_42", "Well argued, but the numbers need a source."),
            )
        )
        + "</div>"
    )
    result = extract_comments(page(body), URL)
    assert [c.author for c in result.comments] == ["Camille", "bob_42"]


def test_a_profile_address_before_the_name_is_no_part_of_it() -> None:
    body = (
        '<div id="comments"><div class="comment" id="comment-1">'
        '<span class="author">http://twitter.com/ann_r Ann Reader</span>'
        "<p>Whoa, a film star for a phone launch.</p><small>12/03/2024</small></div></div>"
    )
    result = extract_comments(page(body), URL)
    assert [c.author for c in result.comments] == ["Ann Reader"]
