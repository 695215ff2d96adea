"""Multi-page articles: pages extracted one by one and merged into one article."""

from __future__ import annotations

from typing import Any

from crawler.extract import extract_article, extract_pages, merge_pages

URL = "https://news.example/2026/10/05/long-read/"


def part(url: str, text: str = "", comments: list[dict[str, Any]] | None = None, **extra: Any):
    return {
        "url": url,
        "text": text,
        "comments": comments or [],
        "comments_status": extra.get("status", "open" if comments else "none"),
        "comments_method": extra.get("method", "wordpress" if comments else None),
        "title": extra.get("title"),
    }


def comment(cid: str | None, parent: str | None, text: str, author: str = "A") -> dict[str, Any]:
    return {
        "id": cid,
        "parent_id": parent,
        "author": author,
        "published": None,
        "text": text,
        "permalink": None,
    }


def test_text_pages_in_order_and_metadata_from_the_first() -> None:
    first = part(URL, "One.\n\nTwo.", title="The headline")
    merged = merge_pages(
        first,
        [
            (f"{URL}2/", "text", part(f"{URL}2/", "Three.", title="Page 2")),
            (f"{URL}3/", "text", part(f"{URL}3/", "Four.")),
        ],
    )
    assert merged["text"] == "One.\n\nTwo.\n\nThree.\n\nFour."
    assert merged["word_count"] == 4
    assert merged["title"] == "The headline"
    assert merged["pages"] == [URL, f"{URL}2/", f"{URL}3/"]
    assert merged["comment_pages"] == [] and merged["missing_pages"] == []


def test_comment_pages_merge_once_each_with_threads_across_pages() -> None:
    first = part(URL, "Body.", [comment("1", None, "a"), comment("2", None, "b")])
    # page 2 repeats thread 2 above the reply that continues it; page 3 overlaps page 2
    page2 = part(
        f"{URL}comment-page-2/",
        "Body.",
        [comment("2", None, "b"), comment("3", "2", "c"), comment("4", None, "d")],
    )
    page3 = part(
        f"{URL}comment-page-3/", "Body.", [comment("4", None, "d"), comment("5", "4", "e")]
    )
    merged = merge_pages(
        first,
        [(page2["url"], "comments", page2), (page3["url"], "comments", page3)],
        missing=[f"{URL}comment-page-4/"],
    )
    assert [(c["id"], c["parent_id"]) for c in merged["comments"]] == [
        ("1", None),
        ("2", None),
        ("3", "2"),
        ("4", None),
        ("5", "4"),
    ]
    assert merged["text"] == "Body."  # a comment page's text is the first page again
    assert merged["pages"] == [URL]
    assert merged["comment_pages"] == [page2["url"], page3["url"]]
    assert merged["missing_pages"] == [f"{URL}comment-page-4/"]


def test_comments_without_ids_are_told_apart_by_author_and_text() -> None:
    first = part(URL, "Body.", [comment(None, None, "same  words", "A")])
    other = part(
        f"{URL}?cpage=2",
        "Body.",
        [comment(None, None, "same words", "A"), comment(None, None, "same words", "B")],
    )
    merged = merge_pages(first, [(other["url"], "comments", other)])
    assert [c["author"] for c in merged["comments"]] == ["A", "B"]


def test_comments_found_only_on_a_later_page_set_status_and_method() -> None:
    first = part(URL, "Body.")
    later = part(f"{URL}comment-page-2/", "Body.", [comment("9", None, "x")])
    merged = merge_pages(first, [(later["url"], "comments", later)])
    assert merged["comments_status"] == "open" and merged["comments_method"] == "wordpress"


def html(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html><head><title>A long read</title></head><body><article><h1>A long read</h1>"
        f"{body}</article></body></html>"
    ).encode()


def test_extract_pages_is_extract_article_per_page() -> None:
    one = [f"First page sentence number {i} of the long read about tides." for i in range(6)]
    two = [f"Second page sentence number {i} of the long read about tides." for i in range(6)]
    merged = extract_pages(html(one), URL, [(f"{URL}2/", "text", html(two), "utf-8")])
    alone = extract_article(html(one), URL)
    assert merged["title"] == alone["title"]
    assert merged["text"].startswith(alone["text"])
    assert merged["text"].endswith(extract_article(html(two), f"{URL}2/")["text"])
    assert merged["pages"] == [URL, f"{URL}2/"]
