"""A small article page to extract, built with optional extras (head, widgets, comments)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT.parent / "shared" / "seed" / "scraped-article.txt"

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line to the northern suburbs, "
    "ending a decade of debate about the cost of the project and its route through the old town.",
    "Construction is due to start next spring and will take three years, according to the transport "
    "department, which expects forty thousand passengers a day once the extension opens.",
    "Opponents said the money would be better spent on buses, but the vote passed by a wide margin "
    "after the regional government promised to cover half of the cost of the new line.",
]
TITLE = "Council approves northern tram extension"


def article_html(
    *,
    head: str = "",
    before: str = "",
    after: str = "",
    body_extra: str = "",
    inner: str = "",
    title_tag: str = f"{TITLE} | The Daily Example",
) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + inner
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title_tag}</title>'
        f'<meta property="og:site_name" content="The Daily Example">{head}</head><body>'
        '<header><nav><a href="/">Home</a> <a href="/city/">City</a></nav></header>'
        f"<main><article><h1>{TITLE}</h1>{before}<div class='entry-content'>{paragraphs}</div>{after}</article>"
        f"{body_extra}</main><footer><p>© The Daily Example</p></footer></body></html>"
    )


URL = "https://daily.example/city/2024/05/14/tram-extension/"


def lines(article: dict[str, Any]) -> list[str]:
    return article["text"].split("\n\n")


JSONLD_HEAD = """<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"Council approves northern tram extension","datePublished":"2024-05-14T08:30:00+02:00",
"dateModified":"2024-05-14T10:00:00+02:00","author":[{"@type":"Person","name":"Ada Byline"},
{"@type":"Person","name":"Ben Second"}],"articleSection":"City","keywords":["transport","council"],
"image":{"@type":"ImageObject","url":"/img/tram.jpg"}}</script>
<link rel="canonical" href="/city/tram-extension/">
<meta name="description" content="The council voted to extend the tram line.">"""
