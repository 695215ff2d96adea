"""Decoding and parsing: charsets, characters libxml2 rejects, garbage input."""

from __future__ import annotations

import random
import re

from crawler.extract import extract_article, parse
from crawler.extract.parse import decode_html
from tests.unit.extract.article_page import (
    PARAGRAPHS,
    URL,
    article_html,
)


def test_windows_1252_page_with_meta_charset() -> None:
    html = article_html().replace('charset="utf-8"', 'charset="windows-1252"')
    html = html.replace(
        PARAGRAPHS[0], "Café owners paid €2.10 – “too much”, they said, for an espresso at the bar."
    )
    body = html.encode("cp1252")
    article = extract_article(body, URL)
    assert "Café owners paid €2.10 – “too much”" in article["text"]
    assert extract_article(body, URL, encoding="windows-1252")["text"] == article["text"]


def test_valid_utf8_wins_over_a_wrong_latin1_label() -> None:
    body = "<html><head><meta charset='iso-8859-1'></head><body><p>Zürich – “ok”</p></body></html>".encode()
    assert "Zürich – “ok”" in decode_html(body)
    assert "Zürich – “ok”" in decode_html(body, "iso-8859-1")


def test_garbage_and_empty_input_do_not_raise() -> None:
    for body in (b"", b"\x00\x01\x02", b"<html></html>", "plain text, no markup at all"):
        article = extract_article(body, "https://x.example/")
        assert article["text"] == "" or isinstance(article["text"], str)
        assert article["comments"] == []


def test_characters_libxml2_rejects_are_dropped_and_the_rest_kept() -> None:
    """Control characters and U+FFFE/U+FFFF in a page do not lose its text (or anything else)."""
    spec = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    rnd = random.Random(7)
    alphabet = [chr(c) for c in range(0x28)] + ["\ufffe", "\uffff", "\ufffd", "é", "€", "😀", "a"]
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        assert parse._xml_safe(text.encode()) == spec.sub("", text).encode()
    body = (
        "<html><head><title>Zeichen</title></head><body><article><h1>Zeichen</h1>"
        "<p>Der Stadtrat hat am Dienstag\x0b den Haushalt beschlossen\x00, mit großer Mehrheit"
        " und nach langer Debatte über Schulen\ufffe, Straßen und den Nahverkehr der Stadt.</p>"
        "</article></body></html>"
    ).encode()
    article = extract_article(body, "http://example.org/zeichen")
    assert "den Haushalt beschlossen, mit großer Mehrheit" in article["text"]
    assert "Schulen, Straßen" in article["text"]


def test_character_references_to_control_characters_are_dropped() -> None:
    """``&#26;`` in a page would put a control character in the tree: trafilatura then fails."""
    assert parse._xml_safe(b"a&#26;b&#x1A;c&#8 d&#011;e") == b"abc de"
    kept = b"&#9;&#10;&#xA;&#13;&#32;&#1234;&#x1F600;&#x1AB;&amp;"
    assert parse._xml_safe(kept) == kept
    paragraph = (
        "The council approved the budget on Tuesday&#26; after a long debate about schools, "
        "roads and the city's buses, with a large majority of its members in favour."
    )
    body = (
        "<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
        f"<p>{paragraph}</p><p>{paragraph.replace('Tuesday', 'Wednesday')}</p>"
        "</article></body></html>"
    )
    article = extract_article(body, "http://example.org/budget")
    assert "The council approved the budget on Tuesday after a long debate" in article["text"]
