"""Continuation links: an article's further text pages and comment pages, and what is not one."""

from __future__ import annotations

import pytest

from crawler.discovery.links import parse_html
from crawler.discovery.pagination import (
    COMMENTS,
    TEXT,
    Continuation,
    continuation_links,
    continuation_of,
    may_have_continuations,
    page_marker,
)

ARTICLE = "https://news.example/2026/10/05/long-read/"


def doc(body: str, head: str = "") -> object:
    return parse_html(f"<html><head>{head}</head><body>{body}</body></html>")


def links(body: str, url: str = ARTICLE, head: str = "", article_url: str | None = None):
    return continuation_links(doc(body, head), url, article_url)


@pytest.mark.parametrize(
    ("url", "base", "kind", "number"),
    [
        (f"{ARTICLE}2/", ARTICLE, TEXT, 2),
        (f"{ARTICLE}page/3/", ARTICLE, TEXT, 3),
        (f"{ARTICLE}page-3", ARTICLE, TEXT, 3),
        ("https://news.example/story?page=2", "https://news.example/story", TEXT, 2),
        ("https://news.example/story?id=7&page=2", "https://news.example/story?id=7", TEXT, 2),
        (f"{ARTICLE}?cpage=2", ARTICLE, COMMENTS, 2),
        (f"{ARTICLE}comment-page-3/", ARTICLE, COMMENTS, 3),
    ],
)
def test_page_marker(url: str, base: str, kind: str, number: int) -> None:
    marker = page_marker(url)
    assert marker is not None
    assert (marker.base, marker.kind, marker.number) == (base, kind, number)


@pytest.mark.parametrize(
    "url",
    [
        ARTICLE,
        "https://news.example/page/2/",  # the home page's second page
        "https://news.example/news/12345/",  # a numeric id, not page 12345
        "https://news.example/?p=123",  # WordPress's post id
        "https://news.example/story?page=two",
    ],
)
def test_no_page_marker(url: str) -> None:
    assert page_marker(url) is None


def test_rel_next_in_head_and_numbered_links_in_the_article() -> None:
    found = links(
        '<article><p>Text.</p><div class="page-links">Pages: <span>1</span> '
        f'<a href="{ARTICLE}2/">2</a> <a href="/2026/10/05/long-read/3/">3</a></div></article>',
        head=f'<link rel="next" href="{ARTICLE}2/">',
    )
    assert found == [
        Continuation(f"{ARTICLE}2/", TEXT, 2),
        Continuation(f"{ARTICLE}3/", TEXT, 3),
    ]


@pytest.mark.parametrize(
    "href", ["?page=2", "page/2/", f"{ARTICLE}page/2", "https://news.example/story?page=2"]
)
def test_query_and_page_path_forms(href: str) -> None:
    url = "https://news.example/story" if "story" in href else ARTICLE
    found = links(f'<a rel="next" href="{href}">Next page</a>', url=url)
    assert [c.kind for c in found] == [TEXT]
    assert found[0].number == 2


def test_comment_pages_by_marker_by_words_and_by_section() -> None:
    found = links(
        f'<div class="nav-links"><a href="{ARTICLE}comment-page-2/#comments">Newer comments</a>'
        f'<a href="{ARTICLE}?cpage=3">3</a></div>'
        '<section id="comments"><ul class="pager"><li>'
        f'<a href="{ARTICLE}?page=1" rel="next">next</a></li></ul></section>'
    )
    assert found == [
        Continuation(f"{ARTICLE}?page=1", COMMENTS, 1),  # Drupal counts comment pages from 0
        Continuation(f"{ARTICLE}comment-page-2/", COMMENTS, 2),
        Continuation(f"{ARTICLE}?cpage=3", COMMENTS, 3),
    ]


def test_older_comments_link_text_makes_a_comment_page() -> None:
    found = links(f'<a href="{ARTICLE}?page=2">Older comments</a>')
    assert found == [Continuation(f"{ARTICLE}?page=2", COMMENTS, 2)]


@pytest.mark.parametrize(
    "body",
    [
        # WordPress post navigation: rel=next is the next article
        '<nav class="post-navigation"><a rel="next" href="/2026/10/06/other-story/">'
        "Next post</a></nav>",
        # a listing's pagination and tag pages linked from the article
        '<a href="/world/page/2/">More world news</a><a href="/tag/ports/page/2/">2</a>',
        # another article's second page
        '<a rel="next" href="/2026/10/05/another-read/2/">2</a>',
        # another host
        '<a rel="next" href="https://cdn.news.example/2026/10/05/long-read/2/">2</a>',
        # page 1 is the article itself; a bare number without a pager's signal
        f'<a href="{ARTICLE}?page=1">1</a><a href="{ARTICLE}7/">Photo gallery</a>',
        # replies and share links carry numbers too
        f'<a href="{ARTICLE}?replytocom=12#respond">Reply</a>',
    ],
)
def test_not_continuations(body: str) -> None:
    assert links(body) == []


def test_listing_pages_have_no_continuations() -> None:
    body = '<a rel="next" href="/world/page/2/">Older stories</a>'
    assert links(body, url="https://news.example/tag/ports/") == []
    assert links('<a rel="next" href="?page=2">2</a>', url="https://news.example/search?q=x") == []


def test_from_a_continuation_page_the_first_page_and_itself_are_not_links() -> None:
    page2 = f"{ARTICLE}2/"
    found = links(
        f'<a rel="prev" href="{ARTICLE}">1</a><span>2</span><a rel="next" href="{ARTICLE}3/">3</a>',
        url=page2,
        head=f'<link rel="canonical" href="{page2}">',
        article_url=ARTICLE,
    )
    assert found == [Continuation(f"{ARTICLE}3/", TEXT, 3)]


def test_continuation_of() -> None:
    back = doc(f'<a rel="prev" href="{ARTICLE}">Previous page</a>')
    assert continuation_of(back, f"{ARTICLE}2/") == ARTICLE
    assert continuation_of(doc(f'<a href="{ARTICLE}">the story</a>'), f"{ARTICLE}?page=2") == (
        ARTICLE
    )
    assert continuation_of(back, ARTICLE) is None  # no marker
    # an article at /articles/12 linking to its section is no page 12 of the section
    section = doc('<a href="/articles/">Articles</a>')
    assert continuation_of(section, "https://news.example/articles/12") is None
    assert continuation_of(doc("<p>no link back</p>"), f"{ARTICLE}2/") is None


@pytest.mark.parametrize(
    ("body", "may"),
    [
        (f'<a href="{ARTICLE}2/">2</a>', True),
        ('<a class="x" href = "?page=2">Next</a>', True),
        ("<a href='/2026/10/05/long-read/page/3'>3</a>", True),
        ('<a href="?x=1&amp;page=2">2</a>', True),
        (f'<A HREF="{ARTICLE}2/">2</A>', True),  # not scanned: parsed
        # no link that could be one: other paths, no page number
        ('<a href="/world/">World</a><a href="/2026/10/06/other-story/">Next</a>', False),
        (f'<a href="{ARTICLE}#comments">Comments</a><img src="/img/2.jpg">', False),
    ],
)
def test_may_have_continuations_scans_the_raw_hrefs(body: str, may: bool) -> None:
    page = f"<html><body><article><p>Text.</p>{body}</article></body></html>".encode()
    assert may_have_continuations(page, ARTICLE) is may
    if not may:
        assert links(body) == []  # what the parsed document says too
