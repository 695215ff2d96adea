"""What counts as a comment section: names in other languages, never a sidebar widget."""

from __future__ import annotations

import pytest

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page

RECENT_COMMENTS_WIDGET = """
<div class="sidebar"><section class="widget widget_recent_comments"><ul id="recentcomments">
 <li class="recentcomments"><span class="comment-author-link">Ann</span> on <a href="/a/">A story</a></li>
 <li class="recentcomments"><span class="comment-author-link">Bob</span> on <a href="/b/">B story</a></li>
</ul></section></div>
"""


def test_recent_comments_widget_is_still_not_a_comment_section() -> None:
    result = extract_comments(page(RECENT_COMMENTS_WIDGET), URL)
    assert result.comments == []


@pytest.mark.parametrize(
    "section",
    [
        '<section id="commenti">',  # it
        '<div class="komentarze">',  # pl
        '<div id="reacties">',  # nl
        '<div class="usercomments">',  # run together
        '<div class="article-leserkommentare">',
        '<div id="comentarios">',  # es: never reached the generic finder before
    ],
)
def test_comment_sections_named_in_other_languages_and_run_together(section: str) -> None:
    tag = section[1 : section.index(" ")]
    blocks = "".join(
        f'<div class="entry" id="c-{n}"><span class="user">{name}</span>'
        f'<span class="date">0{n}.03.2024</span><p>{text}</p></div>'
        for n, name, text in (
            (1, "Giulia", "Un commento abbastanza lungo da contare come commento."),
            (2, "Marco", "Una risposta che non è d'accordo con Giulia, per niente."),
        )
    )
    result = extract_comments(page(f"{section}{blocks}</{tag}>"), URL)
    assert [(c.author, c.published) for c in result.comments] == [
        ("Giulia", "2024-03-01"),
        ("Marco", "2024-03-02"),
    ]
