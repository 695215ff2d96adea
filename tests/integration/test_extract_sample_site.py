"""Extraction of the sample site's article pages: ground truth and golden files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_article, extract_pages
from tests.sample_site import render_html
from tests.sample_site.catalog import ARTICLES
from tests.sample_site.expected import build_expected
from tests.unit.extract.article_page import (
    lines,
)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "golden"
BASE = "http://sample.test"  # same origin as scripts/pin_goldens.py


def sample_pages() -> list[tuple[Any, str, bytes]]:
    articles = list(ARTICLES)
    return [
        (a, BASE + a.path, render_html.article_page(a, BASE, articles).encode(a.charset))
        for a in articles
    ]


def extract(spec: Any, url: str, body: bytes) -> dict[str, Any]:
    """The article as the crawl extracts it: with its further pages, where it has some."""
    parts = [
        (BASE + path, kind, html.encode(spec.charset), spec.charset)
        for path, kind, html in render_html.further_pages(spec, BASE, list(ARTICLES))
    ]
    if parts:
        return extract_pages(body, url, parts, encoding=spec.charset)
    return extract_article(body, url, encoding=spec.charset)


EXPECTED = {a["key"]: a for a in build_expected(list(ARTICLES))["articles"]}
BOILERPLATE = build_expected(list(ARTICLES))["boilerplate"]
PAGES = sample_pages()


@pytest.mark.parametrize(("spec", "url", "body"), PAGES, ids=[p[0].key for p in PAGES])
def test_sample_site_article_matches_ground_truth(spec: Any, url: str, body: bytes) -> None:
    expected = EXPECTED[spec.key]
    article = extract(spec, url, body)
    assert article["title"] == expected["title"]
    assert article["authors"] == expected["authors"]
    assert article["published"] == expected["published"]
    assert article["modified"] == expected["modified"]
    assert (article["section"] or "").casefold() == expected["section"].casefold()
    assert article["language"] == expected["language"]
    paragraphs = lines(article)
    allowed = set(expected["paragraphs"]) | set(expected.get("subheadings") or [])
    assert [p for p in paragraphs if p in expected["paragraphs"]] == expected["paragraphs"]
    assert [p for p in paragraphs if p not in allowed] == []
    for phrase in BOILERPLATE:
        assert phrase not in article["text"]
    got = [
        {k: c[k] for k in ("id", "parent_id", "author", "published", "text")}
        for c in article["comments"]
    ]
    want = [
        {k: c[k] for k in ("id", "parent_id", "author", "published", "text")}
        for c in expected["comments"]
    ]
    assert got == want
    assert [c["permalink"] for c in article["comments"]] == [
        f"{BASE}{c['page_path']}#{c['anchor']}" for c in expected["comments"]
    ]
    assert article.get("pages", [url]) == [BASE + p for p in expected["pages"]]
    assert article.get("comment_pages", []) == [BASE + p for p in expected["comment_pages"]]
    assert article["comments_status"] == expected["comments_status"]


@pytest.mark.parametrize(("spec", "url", "body"), PAGES, ids=[p[0].key for p in PAGES])
def test_golden(spec: Any, url: str, body: bytes) -> None:
    path = GOLDEN_DIR / f"{spec.key}.json"
    if not path.exists():
        pytest.fail(f"missing golden {path.name}: run scripts/pin_goldens.py")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert extract(spec, url, body) == golden
