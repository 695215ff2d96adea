"""Comments without an element of their own: the run of siblings after each anchor."""

from __future__ import annotations

from crawler.extract import extract_article
from crawler.extract.comments import extract_comments
from tests.unit.extract.article_page import URL as ARTICLE_URL
from tests.unit.extract.article_page import article_html
from tests.unit.extract.comment_page import URL, page

# Movable Type / TypePad: anchor, paragraphs and a "Posted by" line, side by side; a
# trackback above has its anchor inside a paragraph, and the notice below is no comment
RUNS = """
<div class="entry-list">
 <h2><a id="trackback"></a>TrackBack</h2>
 <p><a id="p4094942"></a>&raquo; <a href="https://other.example/">Software personalities</a> from Other</p>
 <p class="posted">Tracked on Mar 22, 2007 1:53:04 AM</p>
 <h2><a id="comments"></a>Comments</h2>
 <a id="c63886394"></a>
 <p>Priceless, this list of app personalities.</p>
 <p class="posted">Posted by: <a href="https://atmos.example">atmos</a> | Mar 20, 2007 10:19:46 PM</p>
 <a id="c63889422"></a>
 <p>Great post.</p>
 <p>But the content is locked away in image text.</p>
 <p class="posted">Posted by: Jon | Mar 20, 2007 11:21:10 PM</p>
 <p>The comments to this entry are closed.</p>
</div>
"""


def test_the_runs_after_comment_anchors_are_comments() -> None:
    result = extract_comments(page(RUNS), URL)
    assert result.method == "generic"
    assert [(c.id, c.author, c.published, c.text) for c in result.comments] == [
        ("63886394", "atmos", "2007-03-20T22:19:46", "Priceless, this list of app personalities."),
        (
            "63889422",
            "Jon",
            "2007-03-20T23:21:10",
            "Great post.\n\nBut the content is locked away in image text.",
        ),
    ]
    assert result.comments[0].permalink == f"{URL}#c63886394"


def test_the_runs_leave_the_main_text() -> None:
    article = extract_article(article_html(after=RUNS), ARTICLE_URL)
    assert [c["author"] for c in article["comments"]] == ["atmos", "Jon"]
    assert "tram line" in article["text"]
    assert "locked away" not in article["text"]


def test_the_posts_of_a_blog_index_are_no_comment_runs() -> None:
    body = (
        '<div id="main"><a name="post-1"></a><p>Text of the first post.</p>'
        '<p class="posted">Posted by: Ann | Mar 20, 2007 10:19:46 PM</p>'
        '<a name="post-2"></a><p>Text of the second post.</p>'
        '<p class="posted">Posted by: Ann | Mar 21, 2007 9:00:00 AM</p>'
        '<p class="comments-link"><a href="/2007/03/second#comments">2 comments</a></p></div>'
    )
    assert extract_comments(page(body), URL).comments == []
