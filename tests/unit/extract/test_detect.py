"""looks_like_article: og:type, JSON-LD and article markup."""

from __future__ import annotations

from crawler.extract import looks_like_article
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    URL,
    article_html,
)


def test_looks_like_article() -> None:
    assert looks_like_article(article_html(head='<meta property="og:type" content="article">'), URL)
    assert looks_like_article(article_html(head=JSONLD_HEAD), "https://daily.example/x")
    assert looks_like_article(article_html(), URL)  # <article> with three long paragraphs
    index = "<html><head><meta property='og:type' content='website'></head><body>" + "".join(
        f"<h2><a href='/a{i}'>Headline {i}</a></h2>" for i in range(20)
    )
    assert not looks_like_article(index + "</body></html>", "https://daily.example/city/")


BODY = "".join(
    f"<p>Paragraph {i} of the report says what the council decided about the tram line, who voted"
    f" for it, what it costs and when the first trams will run to the northern suburbs.</p>"
    for i in range(9)
)


def test_a_headline_a_text_of_its_own_and_a_byline_make_an_article() -> None:
    """No <article>, no structured data, no date in the URL: a plain CMS page."""
    url = "https://daily.example/index.php?id=4711"
    page = (
        "<html><head><title>Trams</title></head><body><div id='nav'><a href='/'>Home</a></div>"
        "<div class='main'><h1>Council approves northern tram extension</h1>"
        "<div class='info'>By <span class='author'>Ada Byline</span></div>"
        f"{BODY}</div></body></html>"
    )
    assert looks_like_article(page, url)
    assert not looks_like_article(page.replace("class='author'", "class='x'"), url)  # no byline
    assert not looks_like_article(page.replace("<h1>", "<h2>").replace("</h1>", "</h2>"), url)
    shop = page.replace("<head>", "<head><meta property='og:type' content='product'>")
    assert not looks_like_article(shop, url)


def test_section_pages_with_teasers_stay_rejected() -> None:
    teasers = "".join(
        f"<h3><a href='/a{i}'>Headline {i}</a></h3><p class='date'>14 May 2024</p>"
        f"<p>Teaser {i}: the council decided about the tram line, who voted for it, what it"
        " costs and when the first trams will run to the northern suburbs of the city.</p>"
        for i in range(10)
    )
    page = f"<html><body><h1>City</h1>{teasers}</body></html>"
    assert not looks_like_article(page, "https://daily.example/city/")
