"""Typed items that travel from the spider through the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched article page, before extraction.

    `body` is the decoded (Content-Encoding removed) body; the verbatim bytes are in the
    WARC record that `warc` points at. It stays out of the repr, which Scrapy logs when
    an item is dropped: a log line per page, not the page.
    """

    url: str
    request_url: str
    status: int
    body: bytes = field(repr=False)
    encoding: str | None
    content_type: str
    source: str
    fetched_at: str
    discovery: dict[str, Any] = field(default_factory=dict)
    warc: dict[str, Any] = field(default_factory=dict)
