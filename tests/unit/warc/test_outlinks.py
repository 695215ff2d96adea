"""Outlink lines for metadata records."""

from __future__ import annotations

from pipelines.warc import (
    extract_outlinks,
)


def test_extract_outlinks_resolves_base_and_skips_non_http() -> None:
    body = (
        b'<base href="https://cdn.example.org/x/"><a href="a.html">a</a>'
        b'<A HREF=/b?x=1&amp;y=2>b</A><a href="javascript:void(0)">j</a>'
        b'<a href="a.html#frag">dup</a><script src="//static.example.org/s.js"></script>'
    )
    assert extract_outlinks(body, "https://example.org/page") == [
        "https://cdn.example.org/x/a.html L a/@href",
        "https://cdn.example.org/b?x=1&y=2 L a/@href",
        "https://static.example.org/s.js E script/@src",
    ]
