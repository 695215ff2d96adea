"""A small article page around a comment section, and the comments' (id, parent, author)."""

from __future__ import annotations

import lxml.html

URL = "https://news.example/2024/03/05/story/"


def page(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f"<html><head><title>T</title>{head}</head><body><article><h1>Story</h1>"
        "<p>Article text that is long enough to be an article paragraph for the test.</p></article>"
        f"{body}</body></html>"
    )


def triples(result) -> list[tuple[str | None, str | None, str | None]]:
    return [(c.id, c.parent_id, c.author) for c in result.comments]
