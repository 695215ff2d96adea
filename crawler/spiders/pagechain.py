"""An article's page chain: its further pages fetched one by one, as JSON-safe request meta.

The chain travels in ``request.meta["nv_chain"]`` from one page's request to the next
(the distributed mode queues requests as JSON, and any worker may fetch the next page),
so it holds only text, numbers, lists and dicts: the pages fetched so far are zlib-compressed
and base64-encoded. One request of a chain is in flight at a time, and a chain holds at
most ``crawl.max_article_pages`` pages, so its memory is bounded by that many pages.
When no page is left to fetch, the chain becomes the article's one ``PageItem``.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from crawler.discovery.pagination import TEXT, Continuation
from crawler.items import PageItem, PagePart

__all__ = ["CHAIN_META", "PageChain"]

#: the request meta key holding the chain
CHAIN_META = "nv_chain"


def _pack(body: bytes) -> str:
    return base64.b64encode(zlib.compress(body, 1)).decode("ascii")


def _unpack(packed: str) -> bytes:
    return zlib.decompress(base64.b64decode(packed))


class PageChain:
    """The state of one article's chain of pages (a view over its JSON-safe dict)."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state

    @classmethod
    def start(cls, item: PageItem, links: Iterable[Continuation], max_pages: int) -> PageChain:
        """A chain for ``item`` (the article's first page) and the links found on it."""
        fields = asdict(item)
        for name in ("body", "parts", "missing_pages"):
            fields.pop(name)
        chain = cls(
            {
                "item": fields,
                "body": _pack(item.body),
                "max_pages": max_pages,
                "parts": [],  # [url, kind, encoding, packed body]
                "queue": [],  # [url, kind, number]
                "seen": [item.url],
                "missing": [],
                "capped": False,
            }
        )
        chain.add(links)
        return chain

    @property
    def first_url(self) -> str:
        return str(self.state["item"]["url"])

    @property
    def seen(self) -> list[str]:
        return list(self.state["seen"])

    def add(self, links: Iterable[Continuation]) -> list[str]:
        """Queue the links not seen before (cycles end here); returns the new URLs."""
        seen = set(self.state["seen"])
        new = []
        for link in links:
            if link.url in seen:
                continue
            seen.add(link.url)
            self.state["seen"].append(link.url)
            self.state["queue"].append([link.url, link.kind, link.number])
            new.append(link.url)
        # text pages first, each kind in page order
        self.state["queue"].sort(key=lambda q: (q[1] != TEXT, q[2], q[0]))
        return new

    def fetched(self, url: str, kind: str, body: bytes, encoding: str | None) -> None:
        self.state["parts"].append([url, kind, encoding, _pack(body)])

    def failed(self, url: str) -> None:
        self.state["missing"].append(url)

    def next_page(self) -> tuple[str, str] | None:
        """The next page to fetch as ``(url, kind)``, or None when the chain is done.

        Pages beyond the cap are not fetched (``capped`` says so).
        """
        queue = self.state["queue"]
        if not queue:
            return None
        done = 1 + len(self.state["parts"]) + len(self.state["missing"])
        if done >= int(self.state["max_pages"]):
            self.state["capped"] = True
            return None
        url, kind, _number = queue.pop(0)
        return str(url), str(kind)

    @property
    def capped(self) -> bool:
        return bool(self.state["capped"])

    @property
    def left(self) -> list[str]:
        """Queued pages not fetched (after the cap stopped the chain)."""
        return [str(q[0]) for q in self.state["queue"]]

    def page_item(self) -> PageItem:
        """The article's one item: the first page, its further pages, the missing ones."""
        parts = [
            PagePart(url=url, kind=kind, body=_unpack(packed), encoding=encoding)
            for url, kind, encoding, packed in self.state["parts"]
        ]
        return PageItem(
            **self.state["item"],
            body=_unpack(self.state["body"]),
            parts=parts,
            missing_pages=list(self.state["missing"]),
        )
