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


def test_the_comment_body_wins_over_a_badge_text_and_its_time_line_is_no_text() -> None:
    body = (
        '<div id="comments"><div class="comment_item" id="comment_175833234">'
        '<div class="comment_top"><a class="author_name" href="/social/vetxcl">vetxcl</a>'
        '<div class="badge_text">This user has chosen to opt out of the Badges program</div></div>'
        '<div class="comment_body"><div class="comment_time">1 minute ago ( 2:25 PM)</div>'
        "Could it be time for them to pay the piper?</div></div></div>"
    )
    result = extract_comments(page(body), URL)
    assert [(c.author, c.text) for c in result.comments] == [
        ("vetxcl", "Could it be time for them to pay the piper?")
    ]


def test_a_signature_line_of_fields_dates_a_comment_whatever_the_names_length() -> None:
    body = '<div id="comments">' + "".join(
        f'<div class="comment" id="comment{n}"><div class="body">{text}</div>'
        f'<div class="signature">October {n}, 2012 | <a href="/contributor/{n}">{name}</a></div>'
        "</div>"
        for n, name, text in (
            (11, "Eve", "Holy!"),
            (12, "The New Diplomat's Wife and Family", "We are expecting you in 2014!"),
        )
    )
    result = extract_comments(page(body), URL)
    assert [(c.id, c.published) for c in result.comments] == [
        ("11", "2012-10-11"),
        ("12", "2012-10-12"),
    ]


def test_a_sentence_that_mentions_a_date_does_not_date_a_comment() -> None:
    said = "I was there on October 11, 2012 | and it rained all day long, sadly."
    body = '<div id="comments">' + "".join(
        f'<div class="comment" id="comment-{n}"><span class="author">{name}</span>'
        f'<div class="body"><p>{text}</p></div></div>'
        for n, name, text in ((1, "Ann", said), (2, "Bob", "Same here, it was wet."))
    )
    result = extract_comments(page(body + "</div>"), URL)
    assert [(c.published, c.text) for c in result.comments] == [
        (None, said),
        (None, "Same here, it was wet."),
    ]


def test_a_time_ago_line_is_a_date_even_unpinned() -> None:
    body = '<div id="comments">' + "".join(
        f'<div class="comment clearfix"><div class="user_info">'
        f'<p class="specialist"><b>{name}</b> is an editor here.</p>'
        f'<span class="date">added {when}</span></div>'
        f'<p class="comment_text">{text}</p></div>'
        for name, when, text in (
            ("Kim", "about 9 hours ago", "Your recipe spoke for itself!"),
            ("Lou", "1 day ago", "What a gorgeous bird!"),
        )
    )
    result = extract_comments(page(body + "</div>"), URL)
    assert [(c.published, c.text) for c in result.comments] == [
        (None, "Your recipe spoke for itself!"),
        (None, "What a gorgeous bird!"),
    ]
