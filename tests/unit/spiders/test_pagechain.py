"""The page chain: JSON-safe state of an article's further pages, cycles and the cap."""

from __future__ import annotations

import json

from crawler.discovery.pagination import COMMENTS, TEXT, Continuation
from crawler.items import PageItem
from crawler.spiders.pagechain import PageChain

URL = "https://news.example/story/"


def first_page() -> PageItem:
    return PageItem(
        url=URL,
        request_url=URL,
        status=200,
        body=b"<html>page one \xe2\x80\x94 bytes</html>",
        encoding="utf-8",
        content_type="text/html",
        source="s",
        fetched_at="2026-11-28T10:00:00Z",
        discovery={"via": "feed", "canonical": URL},
        warc={"record_id": "<urn:uuid:1>", "offset": 10, "revisit": False},
    )


def test_the_chain_is_plain_json_and_gives_back_the_item() -> None:
    chain = PageChain.start(
        first_page(),
        [Continuation(f"{URL}comment-page-2/", COMMENTS, 2), Continuation(f"{URL}2/", TEXT, 2)],
        max_pages=20,
    )
    assert chain.next_page() == (f"{URL}2/", TEXT)  # text pages before comment pages
    chain.fetched(f"{URL}2/", TEXT, b"\x00\xffpage two", None)
    # what a JSON queue does to it, twice over
    chain = PageChain(json.loads(json.dumps(chain.state)))
    assert chain.next_page() == (f"{URL}comment-page-2/", COMMENTS)
    chain.failed(f"{URL}comment-page-2/")
    chain = PageChain(json.loads(json.dumps(chain.state)))
    assert chain.next_page() is None and not chain.capped
    item = chain.page_item()
    original = first_page()
    assert (item.url, item.body, item.discovery, item.warc) == (
        original.url,
        original.body,
        original.discovery,
        original.warc,
    )
    assert [(p.url, p.kind, p.body, p.encoding) for p in item.parts] == [
        (f"{URL}2/", TEXT, b"\x00\xffpage two", None)
    ]
    assert item.missing_pages == [f"{URL}comment-page-2/"]


def test_cycles_and_the_cap() -> None:
    chain = PageChain.start(first_page(), [Continuation(f"{URL}2/", TEXT, 2)], max_pages=3)
    assert chain.add([Continuation(URL, TEXT, 1), Continuation(f"{URL}2/", TEXT, 2)]) == []
    assert chain.next_page() == (f"{URL}2/", TEXT)
    chain.fetched(f"{URL}2/", TEXT, b"2", "utf-8")
    new = [Continuation(f"{URL}{n}/", TEXT, n) for n in (4, 3, 2)]
    assert chain.add(new) == [f"{URL}4/", f"{URL}3/"]
    assert chain.next_page() == (f"{URL}3/", TEXT)  # in page order
    chain.fetched(f"{URL}3/", TEXT, b"3", "utf-8")
    assert chain.next_page() is None and chain.capped
    assert chain.left == [f"{URL}4/"]
