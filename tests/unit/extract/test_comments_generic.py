"""Comments in unknown markup: repeated author blocks in a comment-section container."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from crawler.extract.comments.dom import is_form_like
from tests.unit.extract.comment_page import URL, page

GENERIC = """
<div id="leserkommentare" class="user-comments">
 <h3>Kommentare</h3>
 <div class="entry">
  <span class="user-name">Nina</span> <span class="stamp">12.03.2024, 14:05</span>
  <p>Nina findet den Artikel gut, aber zu kurz.</p>
 </div>
 <div class="entry">
  <span class="user-name">Otto</span> <span class="stamp">13.03.2024</span>
  <p>Otto widerspricht Nina deutlich und ausführlich.</p>
 </div>
</div>
"""


def test_generic_comment_container_with_repeated_author_blocks() -> None:
    result = extract_comments(page(GENERIC), URL)
    assert result.method == "generic"
    assert [c.author for c in result.comments] == ["Nina", "Otto"]
    assert [c.parent_id for c in result.comments] == [None, None]
    # author and date lines are fields, not text
    assert [c.text for c in result.comments] == [
        "Nina findet den Artikel gut, aber zu kurz.",
        "Otto widerspricht Nina deutlich und ausführlich.",
    ]
    assert [c.published for c in result.comments] == ["2024-03-12T14:05:00", "2024-03-13"]


# camel-cased class names inside a layout row whose name says "teaser" (a German CMS)
CAMEL_CASE = """
<div class="cssSimilarTeaserArea cssFullContentArea">
 <div id="allCommentsArea">
  <div class="allShareBarComments">
   <div class="allShareBarCommentsList">
    <div id="comment3111" class="allShareBarCommentsListComment">
     <p class="cssShareBarCommentsListCommentName">KnackigeKälte</p>
     <p class="cssShareBarCommentsListCommentTimestamp">28.02.2018</p>
     <div class="cssShareBarCommentsListCommentText">Vielen Dank, sehr informative Tipps!</div>
     <a class="allShareBarCommentsListCommentReply" href="javascript:void(null)">Antworten</a>
    </div>
    <div id="comment2421" class="allShareBarCommentsListComment">
     <p class="cssShareBarCommentsListCommentName">Die Redaktion</p>
     <p class="cssShareBarCommentsListCommentTimestamp">20.01.2017</p>
     <div class="cssShareBarCommentsListCommentText">Sie müssen dafür sorgen, dass ab 7 Uhr geräumt ist.</div>
    </div>
   </div>
  </div>
 </div>
</div>
"""


# "autor", not "author": readers' letters on a German news site
AUTOR = """
<div id="comment_entries" class="column full">
 <div class="headline_section">Leserpost</div>
 <div class="leserbrief"><div class="leserbrief_inner">
  <div class="leserbrief_meta"><span class="autor">Karsten Dörre</span> / 22.04.2020</div>
  <p>Ab dem 27.4. muss im ÖPNV und beim Einkaufen ein Mundschutz getragen werden.</p>
 </div></div>
 <div class="leserbrief"><div class="leserbrief_inner">
  <div class="leserbrief_meta"><span class="autor">Alex Fischer</span> / 23.04.2020</div>
  <p>Könnten Sie dazu auch eine Ortsangabe machen?</p>
 </div></div>
</div>
"""


def test_camel_case_comment_markup_inside_a_layout_row() -> None:
    result = extract_comments(page(CAMEL_CASE), URL)
    assert result.method == "generic"
    assert [(c.id, c.author, c.published) for c in result.comments] == [
        ("3111", "KnackigeKälte", "2018-02-28"),
        ("2421", "Die Redaktion", "2017-01-20"),
    ]
    assert [c.text for c in result.comments] == [
        "Vielen Dank, sehr informative Tipps!",
        "Sie müssen dafür sorgen, dass ab 7 Uhr geräumt ist.",
    ]


def test_autor_class_names_an_author() -> None:
    result = extract_comments(page(AUTOR), URL)
    assert [(c.author, c.published) for c in result.comments] == [
        ("Karsten Dörre", "2020-04-22"),
        ("Alex Fischer", "2020-04-23"),
    ]
    assert result.comments[1].text == "Könnten Sie dazu auch eine Ortsangabe machen?"


# a theme's own markup with one comment: the list is not a wrapper to descend through
SINGLE_COMMENT = """
<div class="element-box comment-box">
 <div id="respond" class="comment-respond"><h3>Write a Reply or Comment</h3>
  <form id="commentform" class="comment-form"><textarea name="comment"></textarea></form></div>
 <h3 class="comments-count">One Comment</h3>
 <ul class="comment-items">
  <li id="comment-1446" class="row-fluid">
   <figure class="span1 user-avatar"><img alt="" src="https://gravatar.example/a.png"></figure>
   <div class="span10 comment-info">
    <h3><a href="https://marius.example" rel="external nofollow" class="url">Marius</a></h3>
    <p>ich bin schon ganz gespannt, was hier als nächstes so alles auftaucht. LG Marius</p>
    <div>
     <b>18. 05. 2014</b>
     <b class="time-info">22:38</b>
    </div>
   </div>
  </li>
 </ul>
</div>
"""


def test_a_list_holding_a_single_comment() -> None:
    result = extract_comments(page(SINGLE_COMMENT), URL)
    assert [(c.id, c.author, c.published) for c in result.comments] == [
        ("1446", "Marius", "2014-05-18T22:38:00")
    ]
    assert result.comments[0].text.startswith("ich bin schon ganz gespannt")


# an ordered list of comments in a section with no comment-like name: only the items say it
ORDERED = """
<div id="talk"><h3>3 Responses</h3><ol>
 <li id="comment-11"><div class="vcard"><cite class="fn">Ann Reader</cite></div>
  <div class="when">May 14, 2024 at 9:00 am</div><p>The first remark, with a full sentence of its own.</p></li>
 <li id="comment-12"><div class="vcard"><cite class="fn">Bob Reader</cite></div>
  <div class="when">May 14, 2024 at 9:30 am</div><p>The second remark disagrees with the first one.</p></li>
 <li id="comment-13"><div class="vcard"><cite class="fn">Cy Reader</cite></div>
  <div class="when">May 15, 2024 at 7:00 am</div><p>A third remark, later, closes the thread.</p></li>
</ol></div>
"""
# a <dl> thread: number, author and date in the <dt>, the remark in the <dd>; classes alternate
DEFINITION_LIST = """
<div id="talk"><h3>2 Responses</h3><dl>
 <dt class="comment even" id="comment-11"><span class="num"><a href="#comment-11">1</a></span>
  <span class="comment_author">Ann Reader</span> <span class="comment_time">May 14, 2024 at 9:00 am</span></dt>
 <dd class="comment even"><p>The first remark, with a full sentence of its own.</p>
  <p class="reply"><a href="?replytocom=11">Reply</a></p></dd>
 <dt class="comment odd alt" id="comment-12"><span class="num"><a href="#comment-12">2</a></span>
  <span class="comment_author">Bob Reader</span> <span class="comment_time">May 14, 2024 at 9:30 am</span></dt>
 <dd class="comment odd alt"><p>The second remark disagrees with the first one.</p>
  <p class="reply"><a href="?replytocom=12">Reply</a></p></dd>
</dl></div>
"""


def test_every_item_of_an_ordered_comment_list_is_a_comment() -> None:
    result = extract_comments(page(ORDERED), URL)
    assert [(c.id, c.author, c.published) for c in result.comments] == [
        ("11", "Ann Reader", "2024-05-14T09:00:00"),
        ("12", "Bob Reader", "2024-05-14T09:30:00"),
        ("13", "Cy Reader", "2024-05-15T07:00:00"),
    ]
    assert result.comments[2].text == "A third remark, later, closes the thread."


def test_a_definition_list_thread_takes_each_remark_from_its_dd() -> None:
    result = extract_comments(page(DEFINITION_LIST), URL)
    assert [(c.author, c.text) for c in result.comments] == [
        ("Ann Reader", "The first remark, with a full sentence of its own."),
        ("Bob Reader", "The second remark disagrees with the first one."),
    ]


# comments rendered for readers without JavaScript, beside the widget's empty mount point
NOSCRIPT = """
<section id="reader-comments"><h2>Comments</h2><div class="js-comments-app" data-thread="42"></div>
<noscript>
 <div class="entry"><span class="user-name">Nina Reader</span> <span class="stamp">12.03.2024, 14:05</span>
  <p>Nina finds the tram plan good but far too slow.</p></div>
 <div class="entry"><span class="user-name">Otto Reader</span> <span class="stamp">13.03.2024</span>
  <p>Otto disagrees with Nina at considerable length.</p></div>
</noscript></section>
"""


def test_comments_in_a_noscript_fallback_are_the_pages_comments() -> None:
    result = extract_comments(page(NOSCRIPT), URL)
    assert [(c.author, c.text) for c in result.comments] == [
        ("Nina Reader", "Nina finds the tram plan good but far too slow."),
        ("Otto Reader", "Otto disagrees with Nina at considerable length."),
    ]


# a comment list with pingbacks (another site's link, nothing a reader wrote) and, below it,
# the reply box: a wrapper around the comment form with its heading and labels
PINGBACKS_AND_REPLY_BOX = """
<div id="comments">
 <ol class="thread">
  <li class="post pingback">
   <p>Pingback: <a href="https://other.example/post" rel="external nofollow" class="url">A post elsewhere</a></p>
  </li>
  <li class="post pingback">
   <p>Pingback: <a href="https://third.example/p" rel="external nofollow" class="url">Another one</a></p>
  </li>
  <li class="post trackback">
   <p><cite class="fn">Linker</cite></p>
   <p>[...] a few words quoted from the story by the linking post [...]</p>
  </li>
 </ol>
</div>
<div class="comments-wrap">
 <div id="respond">
  <h3>Leave a Reply</h3>
  <form action="/post-comment" method="post">
   <label for="c">Enter your comment here...</label><textarea id="c"></textarea>
   <div class="identity"><p>Fill in your details below or click an icon to log in:</p>
    <span class="author-name"><input name="author"/></span></div>
  </form>
 </div>
 <div id="comment-form-footer"><span class="user">Guest</span></div>
</div>
"""


def test_pingbacks_and_the_reply_box_are_no_comments() -> None:
    result = extract_comments(page(PINGBACKS_AND_REPLY_BOX), URL)
    assert result.comments == []


def test_the_reply_box_is_form_like() -> None:
    tree = page(PINGBACKS_AND_REPLY_BOX)
    # "Fill in your details below ..." is the form's own line, not something a reader wrote
    assert is_form_like(tree.get_element_by_id("respond"))


def test_a_trackback_excerpt_is_no_comment() -> None:
    body = PINGBACKS_AND_REPLY_BOX[: PINGBACKS_AND_REPLY_BOX.index('<div class="comments-wrap">')]
    body = body.replace("post pingback", "post")
    result = extract_comments(page(body), URL)
    # the two link-only items read "Pingback:": a label, no text
    assert result.comments == []


# Movable Type: comment blocks side by side, named per writer, under an unnamed parent;
# the writer and the date only in a "Posted by" line
SIDE_BY_SIDE = """
<div id="main"><h2 id="comments">Comments</h2>
 <div class="commentbody by-ann"><div id="c101"><p>Ann's remark, a whole sentence of it.</p></div>
  <p class="posted">Posted by: Ann Reader at <a href="#c101">November 8, 2012 1:57 PM</a></p></div>
 <div class="commentbody by-bob"><div id="c102"><p>Bob answers Ann.</p></div>
  <p class="posted">Posted by: Bob at <a href="#c102">November 8, 2012 3:34 PM</a></p></div>
 <div class="comments-body"><p>A third block of another family, alone.</p>
  <span class="comments-post">Comment #3 - Posted by: Cy at November 9, 2012 5:39 PM</span></div>
</div>
"""


def test_comment_blocks_side_by_side_with_posted_by_lines() -> None:
    result = extract_comments(page(SIDE_BY_SIDE), URL)
    assert result.method == "generic"
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Ann Reader", "2012-11-08T13:57:00", "Ann's remark, a whole sentence of it."),
        ("Bob", "2012-11-08T15:34:00", "Bob answers Ann."),
    ]


# the block named like a comment sits inside an element with the comment's id
COMMENT_ID_WRAPPERS = """
<div id="main"><h2 id="comments">Comments (2)</h2>
 <div id="c109620"><a name="109620"></a><div class="comment-body name-ann">
  <p>Ann wishes she had gone to Dresden too.</p>
  <p class="comment-posted">Posted by: Ann Reader at October 11, 2012 7:45 AM</p></div></div>
 <div id="c109626"><a name="109626"></a><div class="comment-body name-bob">
  <p>Bob had no idea he liked dairy shops.</p>
  <p class="comment-posted">Posted by: Bob at October 11, 2012 2:19 PM</p></div></div>
</div>
"""


def test_comment_bodies_inside_elements_with_comment_ids() -> None:
    result = extract_comments(page(COMMENT_ID_WRAPPERS), URL)
    assert [(c.id, c.author, c.text) for c in result.comments] == [
        ("109620", "Ann Reader", "Ann wishes she had gone to Dresden too."),
        ("109626", "Bob", "Bob had no idea he liked dairy shops."),
    ]


# Thesis: a <dl> thread beside an intro line, replies in a <dl class="children"> in the <dd>
NESTED_DEFINITION_LIST = """
<div id="comments"><div class="comments_intro"><p>3 comments</p></div>
<dl id="comment_list">
 <dt class="comment even depth-1" id="comment-1"><span class="comment_author">Ann</span></dt>
 <dd class="comment even depth-1"><div class="format_text"><p>Ann asks a question here.</p></div>
  <dl class="children">
   <dt class="comment odd depth-2" id="comment-2"><span class="comment_author">Bob</span></dt>
   <dd class="comment odd depth-2"><div class="format_text"><p>Bob answers the question.</p></div>
    <dl class="children">
     <dt class="comment even depth-3" id="comment-3"><span class="comment_author">Cy</span></dt>
     <dd class="comment even depth-3"><div class="format_text"><p>Cy thanks Bob for it.</p></div></dd>
    </dl></dd>
  </dl></dd>
</dl></div>
"""


def test_replies_nested_in_the_dd_of_a_definition_list_thread() -> None:
    result = extract_comments(page(NESTED_DEFINITION_LIST), URL)
    assert [(c.id, c.parent_id, c.author, c.text) for c in result.comments] == [
        ("1", None, "Ann", "Ann asks a question here."),
        ("2", "1", "Bob", "Bob answers the question."),
        ("3", "2", "Cy", "Cy thanks Bob for it."),
    ]


# WordPress classes the post author's comments "comment-author-<login>": same list, same family
POST_AUTHOR_REPLIES = """
<div id="comments"><dl id="comment_list">
 <dt class="comment even depth-1" id="comment-1"><span class="comment_author">Ann</span></dt>
 <dd class="comment even depth-1"><div class="format_text"><p>Ann asks about the launch.</p></div>
  <dl class="children">
   <dt class="comment byuser comment-author-editor bypostauthor odd depth-2" id="comment-2">
    <span class="comment_author">Ed</span></dt>
   <dd class="comment byuser comment-author-editor bypostauthor odd depth-2">
    <div class="format_text"><p>Ed answers Ann's question.</p></div></dd>
   <dt class="comment even depth-2" id="comment-3"><span class="comment_author">Bob</span></dt>
   <dd class="comment even depth-2"><div class="format_text"><p>Bob thanks Ed.</p></div></dd>
   <dt class="comment odd depth-2" id="comment-4"><span class="comment_author">Cy</span></dt>
   <dd class="comment odd depth-2"><div class="format_text"><p>Cy thanks Ed too.</p></div></dd>
  </dl></dd>
 <dt class="comment byuser comment-author-editor bypostauthor odd depth-1" id="comment-5">
  <span class="comment_author">Ed</span></dt>
 <dd class="comment byuser comment-author-editor bypostauthor odd depth-1">
  <div class="format_text"><p>Ed adds a note to the story.</p></div></dd>
 <dt class="comment even depth-1" id="comment-6"><span class="comment_author">Dee</span></dt>
 <dd class="comment even depth-1"><div class="format_text"><p>Dee liked the story.</p></div></dd>
</dl></div>
"""


def test_the_post_authors_comments_belong_to_the_list() -> None:
    result = extract_comments(page(POST_AUTHOR_REPLIES), URL)
    assert [(c.id, c.parent_id, c.author) for c in result.comments] == [
        ("1", None, "Ann"),
        ("2", "1", "Ed"),
        ("3", "1", "Bob"),
        ("4", "1", "Cy"),
        ("5", None, "Ed"),
        ("6", None, "Dee"),
    ]
    assert result.comments[1].text == "Ed answers Ann's question."


# a badge as one more class word ("staff_comment") on some blocks of the list
BADGED = """
<div id="comments_list">
 <div class="comment_entry published_comment" id="comment_11">
  <div class="author_name"><a href="/u/ann">ann</a></div>
  <div class="comment_body">Ann thinks the council got it right.</div></div>
 <div class="comment_entry published_comment staff_comment" id="comment_12">
  <div class="author_name"><a href="/u/ed">ed</a></div>
  <div class="comment_body">Ed from the newsroom adds the council's reply.</div></div>
 <div class="comment_entry published_comment" id="comment_13">
  <div class="author_name"><a href="/u/bob">bob</a></div>
  <div class="comment_body">Bob disagrees with both of them.</div></div>
</div>
"""


def test_blocks_with_one_more_class_word_are_comments_of_the_list() -> None:
    result = extract_comments(page(BADGED), URL)
    assert [(c.author, c.text) for c in result.comments] == [
        ("ann", "Ann thinks the council got it right."),
        ("ed", "Ed from the newsroom adds the council's reply."),
        ("bob", "Bob disagrees with both of them."),
    ]


# an old theme: a bare list in a comments <div>, each item a date, a "Name said," line and
# the remark; only some names are links
SAID_LINES = """
<div class="comments"><ol>
 <li class="alt" id="comment-101"><p>August 9th, 2012 at 8:38 am</p>
  <p><strong><a href="https://ann.example" rel="external nofollow" class="url">Ann</a></strong>
   said,</p>
  <p>In terms of cities, for me it is (in order):</p><p>1. Lisbon;<br>2. Oslo.</p></li>
 <li class="" id="comment-102"><p>August 9th, 2012 at 8:41 am</p>
  <p><strong>Bob</strong> said,</p><p>Lisbon, surely, and then Porto.</p></li>
 <li class="alt" id="comment-103"><p>August 9th, 2012 at 8:45 am</p>
  <p><strong>Cy</strong> said,</p><p>None of those for me.</p></li>
</ol></div>
"""


def test_name_said_lines_name_the_items_of_a_bare_comment_list() -> None:
    result = extract_comments(page(SAID_LINES), URL)
    assert result.method == "generic"
    assert [(c.id, c.author, c.published, c.text) for c in result.comments] == [
        (
            "101",
            "Ann",
            "2012-08-09T08:38:00",
            "In terms of cities, for me it is (in order):\n\n1. Lisbon;\n2. Oslo.",
        ),
        ("102", "Bob", "2012-08-09T08:41:00", "Lisbon, surely, and then Porto."),
        ("103", "Cy", "2012-08-09T08:45:00", "None of those for me."),
    ]


# replies inside the text of the comment they answer, named like it
REPLIES_INSIDE = """
<div class="discussion"><div class="thread">
 <div class="commentbody" id="c1"><div class="c_author"><a href="/ann">Ann</a></div>
  <div class="c_text"><p>Ann's remark on the story.</p>
   <div class="commentbody child" id="c2"><div class="c_author"><a href="/bob">Bob</a></div>
    <div class="c_text"><p>Bob answers Ann.</p></div></div></div></div>
 <div class="commentbody" id="c3"><div class="c_author"><a href="/cy">Cy</a></div>
  <div class="c_text"><p>Cy has another view.</p></div></div>
</div></div>
"""


def test_replies_inside_the_comment_they_answer() -> None:
    result = extract_comments(page(REPLIES_INSIDE), URL)
    assert result.method == "generic"
    assert [(c.id, c.parent_id, c.author, c.text) for c in result.comments] == [
        ("1", None, "Ann", "Ann's remark on the story."),
        ("2", "1", "Bob", "Bob answers Ann."),
        ("3", None, "Cy", "Cy has another view."),
    ]


# Drupal-style replies in a <div class="indented"> after their parent, in blocks named otherwise
INDENTED_BESIDE = """
<div id="comments">
 <div class="toggle_area" id="comment-1"><span class="info">Thu, 08/09/2012 - 13:04</span>
  <div class="author"></div><p>The first remark on the story.</p></div>
 <div class="indented">
  <div class="toggle_area" id="comment-2"><span class="info">Thu, 08/09/2012 - 13:13</span>
   <div class="author"></div><p>A reply to the first remark.</p></div>
 </div>
 <div class="toggle_area" id="comment-3"><span class="info">Thu, 08/09/2012 - 13:20</span>
  <div class="author"></div><p>Another remark, not a reply.</p></div>
</div>
"""


def test_replies_in_an_indented_block_after_their_parent() -> None:
    result = extract_comments(page(INDENTED_BESIDE), URL)
    assert result.method == "generic"
    assert [(c.id, c.parent_id, c.text) for c in result.comments] == [
        ("1", None, "The first remark on the story."),
        ("2", "1", "A reply to the first remark."),
        ("3", None, "Another remark, not a reply."),
    ]


# blocks with inline styles only, each after an empty anchor named by its number
ANCHORED = """
<div id="comments_displayed">
 <a name="90977"></a><div style="background:#efefef"><div style="float:left"><b>Nash</b></div>
  <div style="float:right">10/31/2012</div><div>Could someone please answer this question?</div></div>
 <div id="reply_form_90977" style="display:none"><form><textarea name="comment"></textarea></form></div>
 <a name="90969"></a><div style="background:#efefef"><div style="float:left"><b>Leon</b></div>
  <div style="float:right">10/30/2012</div><div>I like it, so nice.</div></div>
</div>
"""


def test_blocks_after_numbered_anchors_are_comments() -> None:
    result = extract_comments(page(ANCHORED), URL)
    assert result.method == "generic"
    assert [(c.id, c.published, c.text.splitlines()[-1]) for c in result.comments] == [
        ("90977", "2012-10-31", "Could someone please answer this question?"),
        ("90969", "2012-10-30", "I like it, so nice."),
    ]
