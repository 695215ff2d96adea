"""extract_article: comment pruning, the comments option, the page language, the flat fallback."""

from __future__ import annotations

import logging

import pytest

from crawler.extract import ExtractionOptions, core, extract_article
from crawler.extract.parse import parse_text
from tests.unit.extract.article_page import (
    PARAGRAPHS,
    TITLE,
    URL,
    article_html,
    lines,
)


def test_comments_never_leak_into_body() -> None:
    comments = (
        '<div id="comments" class="comments-area"><ol class="comment-list">'
        '<li id="comment-5" class="comment"><article class="comment-body"><footer class="comment-meta">'
        '<div class="comment-author vcard"><b class="fn">Reader One</b></div>'
        '<div class="comment-metadata"><time datetime="2024-05-14T12:00:00+02:00">May 14</time></div></footer>'
        '<div class="comment-content"><p>This reader comment is long enough to look like an article paragraph '
        "and must stay out of the body text of the article.</p></div></article></li></ol></div>"
    )
    article = extract_article(article_html(body_extra=comments), URL)
    assert lines(article) == PARAGRAPHS
    assert [c["author"] for c in article["comments"]] == ["Reader One"]
    assert article["comments"][0]["text"].startswith("This reader comment")
    assert article["comments_status"] == "open"


def test_no_comments_option() -> None:
    comments = (
        '<div id="comments"><ol class="commentlist"><li id="comment-1" class="comment">'
        '<div class="comment-author"><cite class="fn">Zed</cite></div>'
        '<div class="comment-content"><p>A comment by Zed that is here.</p></div></li></ol></div>'
    )
    article = extract_article(
        article_html(body_extra=comments), URL, options=ExtractionOptions(comments=False)
    )
    assert article["comments"] == []
    assert article["comments_status"] is None
    assert "comment by Zed" not in article["text"]


@pytest.mark.parametrize(
    ("head", "lang", "expected"),
    [
        ("", "de-DE", "de"),
        ('<meta property="og:locale" content="de_DE">', "de", "de"),
        ('<meta http-equiv="content-language" content="es">', "en", None),  # disagreement
        ("", "", None),
    ],
)
def test_page_language_only_when_declarations_agree(
    head: str, lang: str, expected: str | None
) -> None:
    from crawler.extract.core import _page_language
    from crawler.extract.parse import parse_page

    tree = parse_page(f'<html lang="{lang}"><head>{head}</head><body><p>x</p></body></html>')
    assert tree is not None
    assert _page_language(tree) == expected


def test_declared_language_does_not_lose_a_page_whose_meta_disagrees() -> None:
    """trafilatura's language check must never turn a readable page into an empty one."""
    html = article_html(head='<meta http-equiv="content-language" content="es">')
    assert lines(extract_article(html, URL)) == PARAGRAPHS


def test_comment_pruning_never_takes_an_article_wrapper_named_like_comments() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    html = (
        f"<html><head><title>{TITLE}</title></head><body><header><h1>{TITLE}</h1></header>"
        f'<div class="post has-comments"><div class="text">{paragraphs}</div>'
        '<div id="comments"><ol class="commentlist"><li id="comment-9" class="comment">'
        '<div class="comment-author"><cite class="fn">Ula</cite></div>'
        '<div class="comment-content"><p>Ula read the whole piece twice.</p></div></li></ol></div>'
        "</div></body></html>"
    )
    article = extract_article(html, URL)
    assert [c["author"] for c in article["comments"]] == ["Ula"]
    assert all(p in article["text"] for p in PARAGRAPHS)
    assert "Ula read" not in article["text"]


def test_no_flat_fallback_where_comments_load_by_javascript(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What trafilatura calls comments on such a page is the widget's prompts."""
    # prompts that look like a reader's words get past the flat fallback's filters
    prompt = "Si no estás registrado todavía, puedes hacerlo ingresando a Registro de Usuarios."
    text = "Der Stadtrat hat am Dienstag den Haushalt beschlossen, mit großer Mehrheit."

    monkeypatch.setattr(core, "_main_text", lambda tree, url, options, **_: (text, prompt))
    body = article_html().replace("</body>", '<div id="disqus_thread"></div></body>')
    article = extract_article(body.encode(), "http://example.org/a")
    assert article["comments"] == []
    assert article["comments_status"] == "not_in_html"
    # without the widget the same flat string is the last fallback
    article = extract_article(article_html().encode(), "http://example.org/a")
    assert [c["text"] for c in article["comments"]] == [prompt]


def test_article_parts_are_never_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard: what repeats the headline, the teaser or a caption is the article's."""
    text = "\n".join(PARAGRAPHS)
    teaser = "The council voted to extend the tram line to the northern suburbs."
    caption = "The tram depot on the northern edge of the city, where the line will end."
    reader = "I rode the old line for years and I am glad it finally goes further north."
    head = f'<meta name="description" content="{teaser}">'
    figure = f"<figure><img src='/t.jpg'><figcaption>{caption}</figcaption></figure>"
    page = article_html(head=head, before=figure)
    for flat in (f"{TITLE}\n{teaser}\n{caption}\n{reader}", f"{caption}\n{reader}"):
        monkeypatch.setattr(core, "_main_text", lambda tree, url, options, f=flat, **_: (text, f))
        assert extract_article(page, URL)["comments"] == []
    monkeypatch.setattr(core, "_main_text", lambda tree, url, options, **_: (text, reader))
    assert [c["text"] for c in extract_article(page, URL)["comments"]] == [reader]
    # trafilatura took the whole article for comments: it is the text, not 3 comments
    monkeypatch.setattr(core, "_main_text", lambda tree, url, options, **_: ("", text))
    article = extract_article(page, URL)
    # (the figure's caption goes back beside the paragraph its picture precedes)
    assert article["comments"] == [] and lines(article) == [caption, *PARAGRAPHS]


# an old-style page laid out in one table: header row, a menu cell, the story cell, footer row
_STORY = [
    f"The river festival returned to the harbour this weekend with boats, music and food stalls "
    f"along the quay, and the organisers counted twelve thousand visitors. Part {i} of the day "
    "brought its own crowd to the water."
    for i in range(5)
]
_MENU = "".join(f'<a href="/s{i}">Section link {i}</a><br>' for i in range(15))
LAYOUT_TABLE_PAGE = (
    "<html><head><title>Harbour days</title></head><body><table width='100%'>"
    "<tr><td colspan='2'>The Harbour Gazette | Home | News | Sport | Contact</td></tr>"
    f"<tr><td class='menu' width='150'>{_MENU}</td><td>{''.join(f'<p>{p}</p>' for p in _STORY)}</td></tr>"
    "<tr><td colspan='2'>Copyright 2004 The Harbour Gazette. All rights reserved.</td></tr>"
    "</table></body></html>"
)


def test_a_page_laid_out_in_a_table_gives_its_story_cell() -> None:
    article = extract_article(LAYOUT_TABLE_PAGE, "https://gazette.example/2004/harbour.html")
    assert lines(article) == _STORY
    assert "Section link" not in article["text"]
    assert "Copyright" not in article["text"]


# an old page whose text runs through a row of one-cell tables, a section in each
_SECTIONS = [
    [
        f"Part {i}, paragraph {j}: the tide came in over the stones at the foot of the old "
        "harbour wall, and the gulls rose and settled again on the roofs of the fish market."
        for j in range(4)
    ]
    for i in range(4)
]
SECTION_TABLES_PAGE = (
    "<html><head><title>Tide verses</title></head><body>"
    + "".join(
        f"<table width='600'><tr><td>{''.join(f'<p>{p}</p>' for p in ps)}</td></tr></table>"
        for ps in _SECTIONS
    )
    + "</body></html>"
)


def test_a_text_running_through_several_tables_is_kept_whole() -> None:
    """readability's best cell holds one section of four: it does not replace the text."""
    tree = parse_text(SECTION_TABLES_PAGE)
    assert tree is not None
    cell = core._readability_text(tree)
    assert len(cell.split()) >= core.READABILITY_MIN_WORDS  # the swap was possible
    article = extract_article(SECTION_TABLES_PAGE, "https://verses.example/tide.html")
    for section in _SECTIONS:
        for paragraph in section:
            assert paragraph in article["text"]


# a short blog post beside a sidebar "about me" box of about the same size
_POST = (
    "Spent the morning at the allotment planting garlic for next summer. "
    "The soil was heavy after the rain, so the beds got a barrow of compost first."
)
_ABOUT = (
    "I am a retired teacher who writes about gardening, birds and the weather here. "
    "I live in a small town by the sea with my two cats and far too many seed packets."
)
SHORT_POST_PAGE = f"""<html><head><title>Garlic day | My garden diary</title>
<meta property="og:title" content="Garlic day"></head><body>
<div id="header"><a href="/">My garden diary</a></div>
<div id="main"><div class="post"><h2 class="post-title">Garlic day</h2>
<div class="post-body">{_POST}</div>
<div class="post-footer">Posted by Ann at 10:12 | Labels: allotment</div></div></div>
<div id="col-right"><h2>About me</h2><p>{_ABOUT}</p>
<ul><li><a href="/2012/">2012 (40)</a></li><li><a href="/2011/">2011 (52)</a></li></ul></div>
</body></html>"""


def test_a_short_post_beside_a_side_box_gives_the_post(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://garden.example/2012/11/garlic-day.html"
    article = extract_article(SHORT_POST_PAGE, url)
    assert _POST in article["text"]
    assert "retired teacher" not in article["text"]
    assert "Garlic day" not in article["text"]  # the headline stays out, as everywhere
    # trafilatura alone takes the sidebar's box with the post
    monkeypatch.setattr(core, "SHORT_TEXT", 0)
    assert "retired teacher" in extract_article(SHORT_POST_PAGE, url)["text"]


def test_table_share_counts_the_characters_in_table_rows() -> None:
    assert core._table_share("| a | b |\n| c | d |") == 1.0
    assert core._table_share("A paragraph of text.\n| row |") == pytest.approx(7 / 27)
    assert core._table_share("") == 0.0


def test_a_substantial_article_skips_the_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    calls: list[bool] = []
    real = trafilatura.bare_extraction

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    long_story = "".join(f"<p>{p}</p>" for p in _STORY)
    article = extract_article(article_html(inner=long_story), URL)
    assert article["is_article"]
    assert calls == [True]  # the main extractor alone: its text is long enough
    assert lines(article) == PARAGRAPHS + _STORY
    calls.clear()
    short = extract_article(article_html(), URL)  # three paragraphs: under 1,000 characters
    assert calls == [True, False]  # ... then the full cascade, fallbacks included
    assert lines(short) == PARAGRAPHS


def test_readability_failures_stay_out_of_the_crawl_log(caplog: pytest.LogCaptureFixture) -> None:
    short = parse_text("<html><body><p>Too short.</p></body></html>")
    empty = parse_text("<html><body><div><span></span></div></body></html>")
    assert short is not None and empty is not None
    with caplog.at_level(logging.INFO):
        core._readability_text(short)
        core._readability_text(empty)
    assert not [r for r in caplog.records if r.name.startswith("readability")]
