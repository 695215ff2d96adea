"""Tumblr's notes: replies and reblogs with commentary are comments, likes are not."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page

NOTES = """
<div class="notecontainer"><ol class="notes">
 <li class="note like tumblelog_ann without_commentary">
  <a href="https://ann.tumblr.example/"><img class="avatar" alt="" src="/a.png"></a>
  <span class="action"><a href="https://ann.tumblr.example/">ann</a> liked this</span></li>
 <li class="note reblog tumblelog_bob with_commentary">
  <span class="action"><a href="https://bob.tumblr.example/" class="tumblelog">bob</a>
   reblogged this from <a href="https://news.example/" class="source_tumblelog">news</a>
   and added:</span>
  <blockquote><a href="https://bob.tumblr.example/post/2" title="View post">
   Finally someone says it out loud.</a></blockquote></li>
 <li class="note reblog tumblelog_cy without_commentary">
  <span class="action"><a href="https://cy.tumblr.example/">cy</a> reblogged this from
   <a href="https://news.example/">news</a></span></li>
 <li class="note reply tumblelog_dee without_commentary">
  <span class="action"><a href="https://dee.tumblr.example/">dee</a> said:
   <span class="answer_content">I would not have guessed that ending.</span></span></li>
 <li class="note more_notes_link_container"><a class="more_notes_link">Show more notes</a></li>
</ol></div>
"""


def test_notes_that_say_something_are_comments() -> None:
    result = extract_comments(page(NOTES), URL)
    assert result.method == "tumblr"
    assert [(c.author, c.text, c.permalink) for c in result.comments] == [
        ("bob", "Finally someone says it out loud.", "https://bob.tumblr.example/post/2"),
        ("dee", "I would not have guessed that ending.", None),
    ]
    assert [c.byline for c in result.comments] == [
        "bob reblogged this from news and added:",
        "dee said:",
    ]
    # the notes list leaves the main text, likes and all
    assert [n.tag for n in result.nodes] == ["ol"]


def test_likes_and_bare_reblogs_are_no_comments() -> None:
    likes_only = NOTES.replace("with_commentary", "without_commentary").replace(
        "note reply", "note like"
    )
    result = extract_comments(page(likes_only), URL)
    assert result.comments == []
