"""Captions of the article's own pictures come back into its text, beside their paragraphs."""

from __future__ import annotations

from crawler.extract import extract_article
from crawler.extract.captions import with_captions
from crawler.extract.parse import parse_text
from tests.unit.extract.article_page import PARAGRAPHS, URL, article_html, lines

CAPTION = "Workers lay the first rails of the northern extension near the old town gate."


def _figure(caption: str) -> str:
    return f'<figure><img src="/img/rails.jpg" alt=""><figcaption>{caption}</figcaption></figure>'


def test_a_caption_beside_the_article_goes_before_the_next_paragraph() -> None:
    page = article_html().replace(
        f"<p>{PARAGRAPHS[1]}</p>", _figure(CAPTION) + f"<p>{PARAGRAPHS[1]}</p>"
    )
    article = extract_article(page, URL)
    assert lines(article) == [PARAGRAPHS[0], CAPTION, *PARAGRAPHS[1:]]


def test_credits_repeats_and_captions_away_from_the_article_stay_out() -> None:
    credit = _figure("Photo: The Daily Example picture desk, all rights with the agency")
    repeated = _figure("Readers sent us their pictures of the tram works this week") * 2
    elsewhere = (
        '<aside class="gallery"><div class="caption">A gallery picture of the harbour at dawn, '
        "from our readers' collection</div><p>Short teaser.</p></aside>"
    )
    page = article_html(inner=credit + repeated, body_extra=elsewhere)
    article = extract_article(page, URL)
    assert lines(article) == PARAGRAPHS


def test_captions_never_outweigh_the_text() -> None:
    tree = parse_text(
        "<html><body><div>"
        + "".join(_figure(f"{CAPTION} Picture number {i} of the series.") for i in range(6))
        + f"<p>{PARAGRAPHS[0]}</p></div></body></html>"
    )
    assert tree is not None
    assert with_captions(tree, [PARAGRAPHS[0]]) == [PARAGRAPHS[0]]
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    one = parse_text(f"<html><body><div>{_figure(CAPTION)}{paragraphs}</div></body></html>")
    assert one is not None
    assert with_captions(one, PARAGRAPHS) == [CAPTION, *PARAGRAPHS]
