"""Structured comment extraction: one small page per markup family, threading, status and dates."""

from __future__ import annotations

import logging

import lxml.html
import pytest

from crawler.comments import extract_comments, flat_comments, normalize_date, short_id

logger = logging.getLogger(__name__)

URL = "https://news.example/2024/03/05/story/"


def page(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f"<html><head><title>T</title>{head}</head><body><article><h1>Story</h1>"
        "<p>Article text that is long enough to be an article paragraph for the test.</p></article>"
        f"{body}</body></html>"
    )


def triples(result) -> list[tuple[str | None, str | None, str | None]]:
    return [(c.id, c.parent_id, c.author) for c in result.comments]


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


MICRODATA = """
<section id="talk">
 <div itemscope itemtype="https://schema.org/Comment" id="c-1">
  <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Dana</span></span>
  <meta itemprop="dateCreated" content="2024-03-05T09:00:00+01:00">
  <div itemprop="text"><p>Dana's view.</p></div>
  <div itemscope itemtype="https://schema.org/Comment" id="c-2">
   <span itemprop="author">Eli</span>
   <time itemprop="dateCreated" datetime="2024-03-05T09:30:00+01:00">9:30</time>
   <div itemprop="text">Eli replies to Dana.</div>
  </div>
 </div>
</section>
"""


def test_microdata_nested_comments() -> None:
    result = extract_comments(page(MICRODATA), URL)
    assert result.method == "microdata"
    assert triples(result) == [("1", None, "Dana"), ("2", "1", "Eli")]
    assert [c.text for c in result.comments] == ["Dana's view.", "Eli replies to Dana."]
    assert result.comments[1].published == "2024-03-05T09:30:00+01:00"


JSONLD = """
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Story",
 "comment": [
  {"@type": "Comment", "@id": "https://news.example/story#comment-7", "author": {"@type": "Person", "name": "Fay"},
   "dateCreated": "2024-03-05T12:00:00Z", "text": "Fay <b>writes</b>.",
   "comment": [{"@type": "Comment", "@id": "https://news.example/story#comment-8", "author": "Gus",
                "dateCreated": "2024-03-05T12:30:00Z", "text": "Gus nests under Fay."}]},
  {"@type": "Comment", "@id": "https://news.example/story#comment-9", "author": {"name": "Hal"},
   "text": "Hal points at Fay.", "parentItem": {"@id": "https://news.example/story#comment-7"}}
 ]}
</script>
"""


def test_jsonld_comments_nested_and_parent_item() -> None:
    result = extract_comments(page("", head=JSONLD), URL)
    assert result.method == "json-ld"
    assert triples(result) == [("7", None, "Fay"), ("8", "7", "Gus"), ("9", "7", "Hal")]
    assert result.comments[0].text == "Fay writes."
    assert result.comments[0].published == "2024-03-05T12:00:00+00:00"
    assert result.comments[2].permalink == "https://news.example/story#comment-9"


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


DISQUS_SERVER_RENDERED = """
<div id="disqus_thread">
 <ul id="post-list">
  <li class="post" id="post-9001">
   <div class="post-content"><span class="author"><a>Lou</a></span>
    <a class="time-ago" title="Tuesday, March 5, 2024 1:05 PM">2 days ago</a>
    <div class="post-message"><p>Lou's take, rendered on the server.</p></div></div>
   <ul class="children">
    <li class="post" id="post-9002">
     <div class="post-content"><span class="author"><a>Mo</a></span>
      <div class="post-message"><p>Mo replies.</p></div></div>
    </li>
   </ul>
  </li>
 </ul>
</div>
"""


def test_server_rendered_disqus_fallback() -> None:
    result = extract_comments(page(DISQUS_SERVER_RENDERED), URL)
    assert result.status == "open"
    assert triples(result) == [("9001", None, "Lou"), ("9002", "9001", "Mo")]
    assert result.comments[0].text == "Lou's take, rendered on the server."
    assert result.comments[0].published == "2024-03-05T13:05:00"


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


@pytest.mark.parametrize(
    ("body", "head", "status"),
    [
        (
            '<div id="disqus_thread"></div><script>var disqus_config = function () {};</script>',
            "",
            "not_in_html",
        ),
        (
            "",
            '<script src="https://forum.example/javascripts/embed.js"></script><script>DiscourseEmbed = {};</script>',
            "not_in_html",
        ),
        ('<div id="comments"><p class="no-comments">Comments are closed.</p></div>', "", "closed"),
        (
            '<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form id="commentform"></form></div>',
            "",
            "open",
        ),
        ("<footer><p>Copyright</p></footer>", "", "none"),
    ],
)
def test_status_without_comments(body: str, head: str, status: str) -> None:
    result = extract_comments(page(body, head=head), URL)
    assert result.comments == []
    assert result.status == status


def test_comment_count_link_is_not_a_comment() -> None:
    body = '<div class="comment"><a href="#comments">3 Comments</a></div>'
    result = extract_comments(page(body), URL)
    assert result.comments == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05T10:12:00Z", "2024-03-05T10:12:00+00:00"),
        ("2024-03-05T10:12:00+0100", "2024-03-05T10:12:00+01:00"),
        ("2024-03-05 10:12", "2024-03-05T10:12:00"),
        ("March 5, 2024 at 10:12 pm", "2024-03-05T22:12:00"),
        ("5. März 2024, 09:30", "2024-03-05T09:30:00"),
        ("05.03.2024", "2024-03-05"),
        ("yesterday", None),
        ("2024-02-30", None),
        ("1970-01-01T01:00:00+01:00", None),
        ("", None),
    ],
)
def test_normalize_date_keeps_given_precision(raw: str, expected: str | None) -> None:
    assert normalize_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("comment-101", "101"),
        ("li-comment-7", "7"),
        ("https://x.example/a#comment-521", "521"),
        ("c-1", "1"),
        ("abc", "abc"),
        (None, None),
    ],
)
def test_short_id(raw: str | None, expected: str | None) -> None:
    assert short_id(raw) == expected


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

RECENT_COMMENTS_WIDGET = """
<div class="sidebar"><section class="widget widget_recent_comments"><ul id="recentcomments">
 <li class="recentcomments"><span class="comment-author-link">Ann</span> on <a href="/a/">A story</a></li>
 <li class="recentcomments"><span class="comment-author-link">Bob</span> on <a href="/b/">B story</a></li>
</ul></section></div>
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


def test_recent_comments_widget_is_still_not_a_comment_section() -> None:
    result = extract_comments(page(RECENT_COMMENTS_WIDGET), URL)
    assert result.comments == []


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


def test_flat_fallback_drops_pingback_excerpts() -> None:
    flat = "[…] Zum Trailer des Filmes geht es hier: FUTURE of HOPE […]"
    assert flat_comments(flat, URL) == []
    real = "Ich finde den Artikel sehr gut geschrieben, danke für die vielen Details zur Stadt."
    assert [c.text for c in flat_comments(f"{flat}\n{real}", URL)] == [real]


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
