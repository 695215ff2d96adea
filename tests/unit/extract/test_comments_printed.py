"""A comment's byline as printed: its header and footer lines, without controls or replies."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from crawler.extract.comments.printed import byline_of, clean_comment_text
from tests.unit.extract.comment_page import URL, page
from tests.unit.extract.test_comments_wordpress import WORDPRESS


def test_wordpress_bylines_keep_the_date_as_written_and_leave_out_reply_and_replies() -> None:
    ann, bob, cy = extract_comments(page(WORDPRESS), URL).comments
    # Bob's reply is nested in Ann's <li>: none of his lines are in her byline
    assert ann.byline == "Ann Lee says:\nMarch 5, 2024 at 10:12 am"
    assert bob.byline == "Bob Roe\nMarch 5, 2024 at 11:00 am"
    assert cy.byline == "Cy\nx"
    assert ann.text == "First paragraph of Ann.\n\nSecond paragraph of Ann."


# Blogger's <dl>: name and "said..." before the text, the date in a footer after it, with a
# relative date and controls on the same lines
BLOGGER = """
<div id="comments" class="comments"><h4>3 comments:</h4>
<dl id="comments-block">
 <dt class="comment-author" id="c101"><a name="c101"></a><a href="https://x.example/p/1">Emily</a> said...</dt>
 <dd class="comment-body"><p>Just made up a batch of this, delicious!</p></dd>
 <dd class="comment-footer"><span class="comment-timestamp"><a href="#c101" title="comment permalink">October 9, 2012 3:04 PM</a></span>
  <span class="item-control"> | <a href="/delete">Delete</a></span></dd>
 <dt class="comment-author" id="c102"><a name="c102"></a><a href="https://x.example/p/2">Marc</a> said...</dt>
 <dd class="comment-body"><p>Which flour did you use for the batch?</p></dd>
 <dd class="comment-footer"><span class="comment-timestamp"><a href="#c102">2 hours ago</a></span> | <a href="/share">Share</a> | Permalink</dd>
</dl></div>
"""


def test_blogger_byline_lines_before_and_after_the_text_in_page_order() -> None:
    emily, marc = extract_comments(page(BLOGGER), URL).comments
    assert emily.author == "Emily"
    assert emily.text == "Just made up a batch of this, delicious!"
    assert emily.byline == "Emily said...\nOctober 9, 2012 3:04 PM"  # "| Delete" is a control
    # a date newsvault cannot read stays readable in the byline; "| Share | Permalink" does not
    assert marc.byline == "Marc said...\n2 hours ago"


# a forum-like block whose lines around the text are a signature, not a byline
SIGNATURE = """
<div id="comments"><ol class="commentlist">
 <li class="comment" id="comment-7"><cite class="fn">Ann Reader</cite>
  <div class="comment-text"><p>Good to see the council act on the flood plans at last.</p></div>
  <div class="sig">{sig}</div></li>
</ol></div>
"""


def test_lines_longer_than_a_byline_give_none() -> None:
    sig = " ".join(["A very long forum signature that is no part of any byline."] * 6)
    (comment,) = extract_comments(page(SIGNATURE.format(sig=sig)), URL).comments
    assert comment.author == "Ann Reader"
    assert comment.byline is None
    (comment,) = extract_comments(page(SIGNATURE.format(sig="Kiel, Germany")), URL).comments
    assert comment.byline == "Ann Reader\nKiel, Germany"


def test_byline_of_leaves_out_the_text_title_and_controls() -> None:
    lines = [
        "Ann Reader: Great post, thank you!",
        "Re: the timetable",
        "Reply ↓",
        "Share",
        "12 likes",
        "Posted October 29, 2012 at 10:53 am | Permalink",
    ]
    assert (
        byline_of(lines, "Great post, thank you!", "Re: the timetable")
        == "Ann Reader:\nPosted October 29, 2012 at 10:53 am"
    )
    assert byline_of(["Great post, thank you!", "Reply"], "Great post, thank you!", None) is None


def test_controls_in_other_languages_are_cut_from_the_end_of_a_line() -> None:
    lines = ["Montana", "18.10.2019, 18:32 Zum Antworten anmelden Zitieren", "Löschen"]
    assert byline_of(lines, "Hast recht.", None) == "Montana\n18.10.2019, 18:32"


# a theme that prints the writer only in words beside the date, in no element of its own
NAME_DASH_DATE = """
<div id="comments"><ol class="commentlist">
 <li class="comment" id="comment-3"><div class="comment-meta">Nichole — June 26th, 2012, 10:27 am</div>
  <p>Thank you for the list of stations along the line.</p></li>
</ol></div>
"""


def test_a_writer_named_only_in_the_byline_is_the_author() -> None:
    (comment,) = extract_comments(page(NAME_DASH_DATE), URL).comments
    assert (comment.author, comment.published) == ("Nichole", "2012-06-26T10:27:00")
    assert comment.byline == "Nichole — June 26th, 2012, 10:27 am"


def test_profile_rating_and_report_links_are_controls() -> None:
    lines = [
        "Comment number 391.",
        "Britainsnotpleased",
        "Report this comment (Comment number 391)",
        "Link to this (Comment number 391)",
        "Login or register to post comments",
        "rate up",
        "Profile",
        "Reply to This Parent",
    ]
    assert (
        byline_of(lines, "Having graduated in 1980.", None)
        == "Comment number 391.\nBritainsnotpleased"
    )


def test_a_follow_button_in_a_signature_is_neither_text_nor_byline() -> None:
    text = clean_comment_text(
        "Great game tonight.\n\nGo Rays!\nFollow @ann_r\n\nFollow me on Twitter @AnnR"
    )
    assert text == "Great game tonight.\n\nGo Rays!"
    said = "Follow the money @ the bank, as always."
    assert clean_comment_text(said) == said
    assert byline_of(["by Ann on Aug 9, 2012", "Follow @ann_r"], text, None) == (
        "by Ann on Aug 9, 2012"
    )
