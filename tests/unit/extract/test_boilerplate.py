"""Boilerplate: widgets, form prompts, headline copies and repeated lines stay out of the text."""

from __future__ import annotations

import random
import re

import pytest

from crawler.extract import boilerplate, extract_article
from tests.unit.extract.article_page import (
    PARAGRAPHS,
    SEED,
    TITLE,
    URL,
    article_html,
    lines,
)


def test_clean_article_keeps_paragraphs_in_order() -> None:
    article = extract_article(article_html(), URL)
    assert lines(article) == PARAGRAPHS
    assert article["title"] == TITLE
    assert article["word_count"] == sum(len(p.split()) for p in PARAGRAPHS)


def test_title_never_repeated_in_body_including_breadcrumb_copies() -> None:
    before = (
        f'<nav class="crumbs-trail"><p>Home › City › {TITLE}</p></nav>'
        f"<p class='kicker'>{TITLE}.</p><h2>{TITLE.upper()}</h2>"
    )
    article = extract_article(article_html(before=before), URL)
    assert article["title"] == TITLE
    assert all(TITLE.lower() not in line.lower() for line in lines(article))
    assert lines(article) == PARAGRAPHS


def test_comment_form_boilerplate_dropped() -> None:
    after = (
        '<div class="form-box"><h3>Leave a Comment</h3>'
        "<p>Your email address will not be published. Required fields are marked *</p>"
        "<p>Save my name, email, and website in this browser for the next time I comment.</p></div>"
    )
    article = extract_article(article_html(after=after), URL)
    assert lines(article) == PARAGRAPHS


def test_comment_preview_and_trackback_boxes_are_boilerplate_lines() -> None:
    text = "\n".join(
        [
            PARAGRAPHS[0],
            "TrackBack URL for this entry:",
            "https://www.blogservice.example/services/trackback/6a00e5503c8898",
            "Listed below are links to weblogs that reference Tram extension:",
            "This is only a preview. Your comment has not yet been posted.",
            "As a final step before posting your comment, enter the letters and numbers you see.",
            "Having trouble reading this image? View an alternate.",
            'You may use these HTML tags and attributes: <a href="" title=""> <b> <i>',
            "Notify me of followup comments via e-mail",
            PARAGRAPHS[1],
        ]
    )
    assert boilerplate.clean_lines(text, [], set(), None) == PARAGRAPHS[:2]


@pytest.mark.parametrize(
    "widget",
    [
        '<div class="cookie-notice"><p>We use cookies to improve your experience on our site. '
        "By continuing you accept our use of cookies and our privacy policy.</p><button>Accept</button></div>",
        '<div class="social-share"><p>Share on Facebook</p><p>Share on Twitter</p></div>',
        '<aside class="newsletter-signup"><p>Get the best stories from the city every morning in your inbox.</p>'
        "<p>Sign up for our newsletter</p></aside>",
        '<section aria-label="Share this article"><p>Copy link to share this article with your friends.</p></section>',
        '<div class="related-posts"><p>Related articles</p><p>Tram fares to rise in January after years of '
        "frozen prices across the network</p></div>",
    ],
)
def test_boilerplate_containers_do_not_reach_the_text(widget: str) -> None:
    article = extract_article(article_html(after=widget), URL)
    assert lines(article) == PARAGRAPHS


def test_an_about_box_inside_the_post_stays_out() -> None:
    about = (
        "Along with our own reporting, this section carries pieces we have read elsewhere "
        "and recommend to our readers, and a few posts written by guests of the blog."
    )
    box = f'<div class="module voices-about-module"><p>{about}</p></div>'
    article = extract_article(article_html(inner=box), URL)
    assert lines(article) == PARAGRAPHS


def test_short_boilerplate_lines_dropped_but_long_paragraphs_mentioning_them_kept() -> None:
    long_line = (
        "The council also said it uses cookies, newsletters and share buttons on its own website, "
        "a detail that opponents raised during the debate about public spending on digital services."
    )
    inner = f"<p>Share this:</p><p>{long_line}</p><p>Leave a Reply</p><p>We use cookies.</p>"
    article = extract_article(article_html(inner=inner), URL)
    assert lines(article) == [*PARAGRAPHS, long_line]


def test_seed_page_headline_once_and_no_form_boilerplate() -> None:
    """The naive scraper output (headline three times, comment form) rebuilt as a page."""
    if not SEED.exists():
        pytest.skip("seed document not present")
    seed_lines = [
        line.strip() for line in SEED.read_text(encoding="utf-8").split("\n\n") if line.strip()
    ]
    headline = seed_lines[1]
    body = "".join(f"<p>{line}</p>" for line in seed_lines[3:-2])
    html = (
        f"<html><head><title>{seed_lines[0]}</title><meta property='og:title' content='{headline}'></head><body>"
        f"<div class='breadcrumb-bar'><span>{headline}</span></div><article><h1>{headline}</h1>{body}"
        f"<div id='respond'><h3>{seed_lines[-2]}</h3><p>{seed_lines[-1]}</p></div></article></body></html>"
    )
    article = extract_article(html, "https://news.example/india-taliban/")
    text_lines = lines(article)
    assert article["title"] == headline
    assert headline not in text_lines and seed_lines[0] not in text_lines
    assert "Leave a Comment" not in article["text"]
    assert "Required fields are marked" not in article["text"]
    assert text_lines[0].startswith("The meeting in Dubai")


def test_whitespace_collapse_matches_the_regex_it_replaces() -> None:
    rnd = random.Random(11)
    alphabet = [" ", "\t", "\n", "\xa0", "\u2003", "\x1c", "\x85", "\u200b", "\ufeff", "a", "é"]
    for _ in range(5000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        assert boilerplate._collapse_ws(text) == re.sub(r"\s+", " ", text), repr(text)


@pytest.mark.parametrize(
    "top",
    [
        "<p>Transport</p><h1>{title}</h1>",
        '<div class="kicker">Transport policy</div><h2>{title}</h2>',
        "<p>Transport policy:</p><p>{title}</p>",
        '<p><span class="kicker">Transport policy</span> <b>{title}</b></p>',
    ],
    ids=["line", "div", "colon", "same-line"],
)
def test_a_kicker_above_the_headline_stays_out_of_the_text(top: str) -> None:
    page = (
        article_html(head=f'<meta property="og:title" content="{TITLE}">')
        .replace(f"<h1>{TITLE}</h1>", "")
        .replace(
            "<div class='entry-content'>", "<div class='entry-content'>" + top.format(title=TITLE)
        )
    )
    article = extract_article(page, URL)
    assert article["title"] == TITLE
    assert lines(article) == PARAGRAPHS


def test_post_navigation_stays_out() -> None:
    pager = (
        "<p>Previous post: Nine steps to a quieter street</p><p>Next post: Buses after midnight</p>"
    )
    got = lines(extract_article(article_html(inner=pager), URL))
    assert not any(line.startswith(("Previous post", "Next post")) for line in got)
    assert got == PARAGRAPHS


def test_teaser_items_and_copyright_notices_are_boilerplate_lines() -> None:
    text = "\n".join(
        [
            PARAGRAPHS[0],
            "- Tram fares to rise in January Prices frozen since 2019 go up by ten cents. Read more... 2024-05-12",
            "- New cycle lanes on the ring road The council approved two lanes. Continue reading »",
            "- a list item of the article itself stays",
            PARAGRAPHS[1],
            "Copyright 2024 The Daily Example Ltd. All Rights Reserved.",
            "This copy is for your personal, non-commercial use only. To order copies, visit our reprints desk.",
        ]
    )
    kept = boilerplate.clean_lines(text, [], set(), None)
    assert kept == [PARAGRAPHS[0], "- a list item of the article itself stays", PARAGRAPHS[1]]


def test_embedded_post_attributions_and_player_notices_are_boilerplate_lines() -> None:
    text = "\n".join(
        [
            PARAGRAPHS[0],
            "— Tram Watcher (@tramwatch) May 14, 2024",
            "This video is unavailable in the format required for your device.",
            "Your browser does not support the video tag.",
            PARAGRAPHS[1],
        ]
    )
    assert boilerplate.clean_lines(text, [], set(), None) == PARAGRAPHS[:2]


def test_a_main_column_named_like_a_side_one_keeps_its_text() -> None:
    """Widget lines never take most of the article: then the "widget" is the article."""
    inner = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    # a big site index below: the column holds under a quarter of the page's text
    index = "".join(
        f'<li><a href="/s/{i}">Section page number {i} of the index</a></li>' for i in range(80)
    )
    page = article_html(body_extra=f'<ul class="site-index">{index}</ul>').replace(
        "<div class='entry-content'>", "<div class='entry-content'><div class='st-sidebar__body'>"
    )
    page = page.replace(f"{inner}</div>", f"{inner}</div></div>")
    assert "st-sidebar__body" in page
    article = extract_article(page, URL)
    assert lines(article) == PARAGRAPHS
