"""WordPress comment lists: threading, authors, dates and permalinks."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page, triples

WORDPRESS = """
<div id="comments" class="comments-area">
<h2 class="comments-title">3 thoughts on “Story”</h2>
<ol class="comment-list">
 <li id="comment-11" class="comment even thread-even depth-1 parent">
  <article id="div-comment-11" class="comment-body">
   <footer class="comment-meta">
    <div class="comment-author vcard"><b class="fn">Ann Lee</b> <span class="says">says:</span></div>
    <div class="comment-metadata"><a href="https://news.example/2024/03/05/story/#comment-11">
     <time datetime="2024-03-05T10:12:00+00:00">March 5, 2024 at 10:12 am</time></a></div>
   </footer>
   <div class="comment-content"><p>First paragraph of Ann.</p><p>Second paragraph of Ann.</p></div>
   <div class="reply"><a class="comment-reply-link" href="?replytocom=11#respond">Reply</a></div>
  </article>
  <ul class="children">
   <li id="comment-12" class="comment odd depth-2">
    <article id="div-comment-12" class="comment-body">
     <footer class="comment-meta">
      <div class="comment-author vcard"><b class="fn"><a href="https://bob.example" class="url">Bob Roe</a></b></div>
      <div class="comment-metadata"><a href="https://news.example/2024/03/05/story/#comment-12">
       <time datetime="2024-03-05T11:00:00+00:00">March 5, 2024 at 11:00 am</time></a></div>
     </footer>
     <div class="comment-content"><p>Bob answers Ann.</p></div>
     <div class="reply"><a class="comment-reply-link" href="?replytocom=12#respond">Reply</a></div>
    </article>
   </li>
  </ul>
 </li>
 <li id="comment-13" class="pingback even depth-1">
  <div class="comment-body">Pingback: <a href="https://other.example/">Some blog linking here</a></div>
 </li>
 <li id="comment-14" class="comment even depth-1">
  <article id="div-comment-14" class="comment-body">
   <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Cy</b></div>
   <div class="comment-metadata"><a href="#comment-14"><time datetime="2024-03-06T08:00:00+00:00">x</time></a></div>
   </footer>
   <div class="comment-content"><p>Cy starts a new thread.</p></div>
  </article>
 </li>
</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form id="commentform" class="comment-form"><p class="comment-notes">Your email address will not be published.</p></form>
</div>
</div>
"""


def test_wordpress_threading_authors_dates_and_permalinks() -> None:
    result = extract_comments(page(WORDPRESS), URL)
    assert result.method == "wordpress"
    assert result.status == "open"
    assert triples(result) == [("11", None, "Ann Lee"), ("12", "11", "Bob Roe"), ("14", None, "Cy")]
    ann, bob, cy = result.comments
    assert ann.text == "First paragraph of Ann.\n\nSecond paragraph of Ann."
    assert bob.text == "Bob answers Ann."  # the reply link and the nested meta stay out
    assert ann.published == "2024-03-05T10:12:00+00:00"
    assert bob.permalink == "https://news.example/2024/03/05/story/#comment-12"
    assert cy.permalink == "https://news.example/2024/03/05/story/#comment-14"
    # the whole section (list + form) is handed back for pruning from the main text
    assert any((n.get("id") or "") == "comments" for n in result.nodes)


# a theme that classes the items of its comment list otherwise (<li class="commentpost">)
UNCLASSED_ITEMS = """
<div class="commentsblock"><h3>Post a Comment</h3>
<ol class="commentlist">
 <li class="commentpost"><strong>Ann Reader</strong> | <small class="commentmetadata">10/29/2012 5:14:46 PM</small>
  <p>The link seems to be broken, here is the right one.</p></li>
</ol>
<ol class="commentlist">
 <li class="authorpost"><strong>Ed Author</strong> | <small class="commentmetadata">10/29/2012 5:25:25 PM</small>
  <p>Thanks, fixed it now.</p></li>
</ol></div>
"""


def test_every_item_of_a_comment_list_is_a_comment() -> None:
    result = extract_comments(page(UNCLASSED_ITEMS), URL)
    assert result.method == "wordpress"
    assert [c.published for c in result.comments] == ["2012-10-29T17:14:46", "2012-10-29T17:25:25"]
    assert [c.text.splitlines()[-1] for c in result.comments] == [
        "The link seems to be broken, here is the right one.",
        "Thanks, fixed it now.",
    ]


# a theme that lists comments as a <dl>: number, name and date in the <dt>, the remark in the <dd>
DEFINITION_LIST = """
<div id="comments"><h2>Comments</h2>
<dl class="commentlist">
 <dt id="comment-58855" class="comment even depth-1">1. SK -
  <a href="https://news.example/2024/03/05/story/#comment-58855">28 October, 2011</a></dt>
 <dd class="comment odd depth-1"><div class="comment" id="div-comment-58855">
  <p>A yellow and blue one too please.</p>
  <div class="reply"><a class="comment-reply-link" href="?replytocom=58855#respond">Reply</a></div>
 </div></dd>
 <dt id="comment-58856" class="comment even depth-1">2. Chef -
  <a href="https://news.example/2024/03/05/story/#comment-58856">29 October, 2011</a></dt>
 <dd class="comment odd depth-1"><div class="comment" id="div-comment-58856">
  <p>Will do, tomorrow.</p></div></dd>
</dl></div>
"""


def test_a_definition_list_of_comments() -> None:
    result = extract_comments(page(DEFINITION_LIST), URL)
    assert result.method == "wordpress"
    assert [(c.id, c.published, c.text) for c in result.comments] == [
        ("58855", "2011-10-28", "A yellow and blue one too please."),
        ("58856", "2011-10-29", "Will do, tomorrow."),
    ]


# a <div> comment list; the reply names its writer in plain text and dates itself without a year
DIV_LIST = """
<div class="commentlist">
 <div class="comment even depth-1" id="comment-1133120"><div class="comment-text">
  <h4><a href="https://lora.example" rel="external nofollow" class="url">Lora Lee</a> <span>On Thursday, November 1 at 2:57 pm</span></h4>
  <p>Too funny, the kids rolled their eyes.</p></div>
  <div class="comment odd depth-2" id="comment-1133310"><div class="comment-text">
   <h4>Carolyn <span>On Friday, November 2 at 10:44 am</span></h4>
   <p>I wish I was back in the eye rolling stage.</p></div></div>
 </div>
</div>
"""


def test_a_div_comment_list_keeps_comments_without_a_name_or_date_it_can_read() -> None:
    result = extract_comments(page(DIV_LIST), URL)
    assert result.method == "wordpress"
    assert [(c.id, c.parent_id, c.author, c.text) for c in result.comments] == [
        ("1133120", None, "Lora Lee", "Too funny, the kids rolled their eyes."),
        ("1133310", "1133120", None, "I wish I was back in the eye rolling stage."),
    ]


# the same comments rendered twice (tabs "most recent" / "highest rated"); a name-and-date
# line classed "cmtinfo" is not the text
TWICE = """
<ol class="commentlist" id="list_recent">
 <li class=" " id="comment-11"><div class="cmtinfo"><cite>Davey</cite>
  <em>wrote on November 13th, 2012 at 5:49 am <a href="#comment-11">Link To Comment</a></em></div>
  <p>Once again, the revolvers float to the surface.</p>
  <ul class="children"><li class=" " id="comment-12"><div class="cmtinfo"><cite>Phil</cite>
   <em>responded to Davey on November 13th, 2012 at 8:19 am</em></div><p>Davey, not so.</p></li></ul>
 </li>
</ol>
<ol class="commentlist" id="list_rated" style="display: none">
 <li class=" " id="comment-11"><div class="cmtinfo"><cite>Davey</cite>
  <em>wrote on November 13th, 2012 at 5:49 am <a href="#comment-11">Link To Comment</a></em></div>
  <p>Once again, the revolvers float to the surface.</p></li>
</ol>
"""


def test_comments_rendered_twice_are_taken_once() -> None:
    result = extract_comments(page(TWICE), URL)
    assert [(c.id, c.parent_id, c.author, c.text) for c in result.comments] == [
        ("11", None, "Davey", "Once again, the revolvers float to the surface."),
        ("12", "11", "Phil", "Davey, not so."),
    ]


def test_a_placeholder_item_of_an_empty_comment_list_is_no_comment() -> None:
    body = '<ol class="commentlist"><li class="none">No comments yet, be the first.</li></ol>'
    result = extract_comments(page(body), URL)
    assert result.comments == []
