"""Drupal-style comments, and elements classed ``comment`` that are not comments."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page, triples

DRUPAL = """
<section class="comments">
<h2>Comments</h2>
<a id="comment-501"></a>
<article class="comment js-comment" data-comment-user-id="0">
 <footer class="comment__meta"><p class="comment__author"><span>Ivo</span></p>
 <p class="comment__time"><time datetime="2024-03-05T08:30:00+01:00">Tue</time></p></footer>
 <div class="comment__content"><div class="field--name-comment-body"><p>Ivo's point.</p></div>
 <ul class="links inline"><li class="comment-reply"><a href="/comment/reply/1/501">Reply</a></li></ul></div>
</article>
<div class="indented">
 <a id="comment-502"></a>
 <article class="comment js-comment">
  <footer class="comment__meta"><p class="comment__author"><span>Jo</span></p>
  <p class="comment__time"><time datetime="2024-03-05T09:00:00+01:00">Tue</time></p></footer>
  <div class="comment__content"><p>Jo answers Ivo.</p></div>
 </article>
</div>
<a id="comment-503"></a>
<article class="comment js-comment">
 <footer class="comment__meta"><p class="comment__author"><span>Kim</span></p>
 <p class="comment__time"><time datetime="2024-03-05T10:00:00+01:00">Tue</time></p></footer>
 <div class="comment__content"><p>Kim, top level.</p></div>
</article>
</section>
"""


def test_drupal_indented_replies_thread_under_previous_comment() -> None:
    result = extract_comments(page(DRUPAL), URL)
    assert result.method == "drupal"
    assert triples(result) == [("501", None, "Ivo"), ("502", "501", "Jo"), ("503", None, "Kim")]
    assert result.comments[0].text == "Ivo's point."  # "Reply" link excluded
    assert result.comments[0].permalink == URL + "#comment-501"


def test_comment_count_link_is_not_a_comment() -> None:
    body = '<div class="comment"><a href="#comments">3 Comments</a></div>'
    result = extract_comments(page(body), URL)
    assert result.comments == []


# TypePad: the writer and the date only in words, in the comment's footer
POSTED_BY_FOOTER = """
<div class="comments-content">
 <div class="comment comment-odd" id="comment-6a01">
  <div class="comment-content"><p>Very much agree with the point above.</p></div>
  <p class="comment-footer">Posted by: <a href="https://ann.example" rel="nofollow">Ann Reader</a> |
   <a href="https://news.example/2024/03/05/story/#comment-6a01">09/21/2012 at 09:38 PM</a></p>
 </div>
 <div class="comment comment-even" id="comment-6a02">
  <div class="comment-content"><p>Bob thinks the opposite, at some length.</p></div>
  <p class="comment-footer">Posted by: Bob | 09/22/2012 at 08:40 AM</p>
 </div>
</div>
"""


def test_a_posted_by_footer_names_the_writer_and_the_date() -> None:
    result = extract_comments(page(POSTED_BY_FOOTER), URL)
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Ann Reader", "2012-09-21T21:38:00", "Very much agree with the point above."),
        ("Bob", "2012-09-22T08:40:00", "Bob thinks the opposite, at some length."),
    ]


# Slashdot: replies shown as one-liners carry no date, only "by Name" in <span class="by">
BY_CLASS = """
<ul id="commentlisting">
 <li id="tree_101" class="comment full"><div class="cw">
  <div class="details"><span class="by">by <a href="/~ann">Ann Reader</a></span>
   <span class="otherdetails">on Monday July 23, 2012 @09:58PM</span></div>
  <div class="commentBody"><p>The first remark, with a date.</p></div></div>
  <ul id="commtree_101"><li id="tree_102" class="comment oneline"><div class="cw">
   <div class="details"><span class="by">by <a href="/~bob">Bob</a></span></div>
   <div class="commentBody"><p>A reply without any date.</p></div></div></li></ul>
 </li>
</ul>
"""


def test_a_by_class_names_the_writer_of_an_undated_reply() -> None:
    result = extract_comments(page(BY_CLASS), URL)
    assert triples(result) == [("tree_101", None, "Ann Reader"), ("tree_102", "tree_101", "Bob")]
    assert result.comments[1].text == "A reply without any date."


# the reader's own subject line above the text; an automatic "Re:" subject is not theirs
SUBJECT_LINES = """
<div class="comment_master_list">
 <div class="citem" id="comment_item_1"><div id="comment_inner_1" class="comment cpic">
  <h5 class="comment_title"><a href="#">Let's do this, the camp is open</a></h5>
  <div class="cbody"><p>Ready for any wild comment.</p></div>
  <p class="by">by <a href="/users/ann">Ann Reader</a> on <span class="time">Aug 9, 2012 10:19 AM EDT</span>
   <a href="#" class="reply_link">reply</a></p></div></div>
 <div class="citem" id="comment_item_2"><div id="comment_inner_2" class="comment cpic">
  <h5 class="comment_title"><a href="#">Re: Let's do this</a></h5>
  <div class="cbody"><p>Bob is ready too.</p></div>
  <p class="by">by <a href="/users/bob">Bob</a> on <span class="time">Aug 9, 2012 10:21 AM EDT</span></p></div></div>
</div>
"""


def test_a_comments_subject_line_opens_its_text() -> None:
    result = extract_comments(page(SUBJECT_LINES), URL)
    assert [(c.author, c.text) for c in result.comments] == [
        ("Ann Reader", "Let's do this, the camp is open\n\nReady for any wild comment."),
        ("Bob", "Bob is ready too."),
    ]


def test_a_remark_all_in_its_subject_line_is_a_comment() -> None:
    # nothing under the subject but a signature's follow button
    subject_only = SUBJECT_LINES.replace(
        "<p>Ready for any wild comment.</p>", '<div class="sig"><p>Follow @ann</p></div>'
    ).replace("Re: Let's do this", "An empty subject-free reply")
    result = extract_comments(page(subject_only), URL)
    assert [(c.author, c.text) for c in result.comments] == [
        ("Ann Reader", "Let's do this, the camp is open"),
        ("Bob", "An empty subject-free reply\n\nBob is ready too."),
    ]


# "Name says:" as a heading of its own, the date in the next heading
SAYS_HEADINGS = """
<div id="comments">
 <div class="comment" id="comment-696570">
  <h3><strong>Chris Gosling</strong> says:</h3><h4>on October 27, 2012 at 3:19 am</h4>
  <div class="inner-comment"><p>I caught your talk yesterday at the fair.</p></div></div>
 <div class="comment" id="comment-696571">
  <h3>+ C98976 on August 9th, 2012 at 10:16 am said:</h3>
  <div class="inner-comment"><p>Sounds good to me.</p></div></div>
</div>
"""


def test_a_says_heading_names_the_writer() -> None:
    result = extract_comments(page(SAYS_HEADINGS), URL)
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Chris Gosling", "2012-10-27T03:19:00", "I caught your talk yesterday at the fair."),
        ("C98976", "2012-08-09T10:16:00", "Sounds good to me."),
    ]


# each comment in a wrapper of its own, the replies' wrappers inside the parent's wrapper,
# beside the comment (SB Nation); two equal short remarks are two comments
WRAPPED_REPLIES = """
<div class="comment_master_list">
 <div class="citem" id="comment_item_1"><div id="comment_inner_1" class="comment">
   <div class="cbody"><p>LOL</p></div><p class="by">by <a href="/u/ann">Ann</a></p></div>
  <div class="citem" id="comment_item_2"><div id="comment_inner_2" class="comment">
    <div class="cbody"><p>Bob answers Ann.</p></div><p class="by">by <a href="/u/bob">Bob</a></p></div>
   <div class="citem" id="comment_item_3"><div id="comment_inner_3" class="comment">
     <div class="cbody"><p>LOL</p></div><p class="by">by <a href="/u/ann">Ann</a></p></div></div>
  </div>
 </div>
 <div class="citem" id="comment_item_4"><div id="comment_inner_4" class="comment">
   <div class="cbody"><p>A new thread.</p></div><p class="by">by <a href="/u/cy">Cy</a></p></div></div>
</div>
"""


def test_replies_wrapped_beside_their_parent_thread_under_it() -> None:
    result = extract_comments(page(WRAPPED_REPLIES), URL)
    assert [(c.id, c.parent_id, c.author, c.text) for c in result.comments] == [
        ("inner_1", None, "Ann", "LOL"),
        ("inner_2", "inner_1", "Bob", "Bob answers Ann."),
        ("inner_3", "inner_2", "Ann", "LOL"),
        ("inner_4", None, "Cy", "A new thread."),
    ]


def test_a_title_that_is_the_name_or_a_date_is_no_subject() -> None:
    body = (
        '<div class="comment" id="comment-1"><h4 class="title">Ann Reader</h4>'
        '<span class="author">Ann Reader</span><p>The remark itself.</p></div>'
        '<div class="comment" id="comment-2"><div class="title">March 3, 2012</div>'
        '<span class="author">Bob</span><p>Another remark.</p></div>'
    )
    result = extract_comments(page(body), URL)
    assert [c.text for c in result.comments] == ["The remark itself.", "Another remark."]


def test_a_comment_higher_up_the_page_is_no_parent_of_the_list() -> None:
    body = (
        '<div class="wrap"><div class="comment" id="comment-9"><span class="author">Editor</span>'
        "<p>A featured remark.</p></div>"
        '<div class="list"><div class="item"><div class="comment" id="comment-1">'
        '<span class="author">Ann</span><p>First in the list.</p></div></div>'
        '<div class="item"><div class="comment" id="comment-2">'
        '<span class="author">Bob</span><p>Second in the list.</p></div></div></div></div>'
    )
    result = extract_comments(page(body), URL)
    assert triples(result) == [("9", None, "Editor"), ("1", None, "Ann"), ("2", None, "Bob")]
