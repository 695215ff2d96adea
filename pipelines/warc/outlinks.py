"""Heritrix-style outlink lines for metadata records, by a cheap regex over the HTML."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

MAX_OUTLINKS = 5000

_TAG_RE = re.compile(
    rb"""<(?P<tag>a|area|link|img|script|iframe|frame|source|embed|base)\b[^>]*?"""
    rb"""\s(?P<attr>href|src)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'>]+))""",
    re.IGNORECASE,
)
_SKIP_SCHEMES = ("javascript:", "mailto:", "data:", "tel:", "about:")


class _Joiner:
    """urljoin with fast paths for the common absolute and root-relative links.

    Pages carry hundreds of links and this runs on the reactor thread for every page.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.scheme = parts.scheme
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def join(self, value: str) -> str:
        if "/." not in value:
            if value.startswith(("http://", "https://")):
                return value
            if value.startswith("//"):
                return f"{self.scheme}:{value}"
            if value.startswith("/"):
                return self.origin + value
        return urljoin(self.base, value)


# "tag/@attr" as written in outlink lines, for every spelling the regex can capture
_LINK_KINDS: dict[tuple[bytes, bytes], str] = {}


def _link_kind(tag: bytes, attr: bytes) -> str:
    kind = _LINK_KINDS.get((tag, attr))
    if kind is None:
        name = tag.decode("ascii").lower()
        hop = "L" if name in ("a", "area") else "E"
        kind = _LINK_KINDS[(tag, attr)] = f"{hop} {name}/@{attr.decode('ascii').lower()}"
    return kind


def extract_outlinks(body: bytes, base_url: str, limit: int = MAX_OUTLINKS) -> list[str]:
    """Heritrix-style outlink lines (`URL HOP tag/@attr`) from HTML, cheaply, by regex."""
    joiner = _Joiner(base_url)
    join, origin, scheme = joiner.join, joiner.origin, joiner.scheme
    seen: set[str] = set()
    # attribute values met before (under the current base): a page repeats many links
    seen_raw: set[bytes] = set()
    out: list[str] = []
    kinds = _LINK_KINDS
    web = ("http://", "https://")
    for tag, attr, dq, sq, uq in _TAG_RE.findall(body):
        raw = dq or sq or uq
        if len(tag) == 4 and tag.lower() == b"base":
            value = raw.decode("utf-8", "replace")
            value = (html.unescape(value) if "&" in value else value).strip()
            if value:
                joiner = _Joiner(urljoin(base_url, value))
                join, origin, scheme = joiner.join, joiner.origin, joiner.scheme
                seen_raw.clear()
            continue
        if raw in seen_raw:
            continue  # the same URL as before, or skipped before
        seen_raw.add(raw)
        value = raw.decode("utf-8", "replace")
        if "&" in value:
            value = html.unescape(value)
        value = value.strip()
        if not value or value[0] == "#":
            continue
        # _Joiner.join's fast paths, inline: this loop runs for every link of every page
        if "/." in value:
            url = join(value)
        elif value.startswith(web):
            url = value
        elif value[0] == "/":
            url = f"{scheme}:{value}" if value[1:2] == "/" else origin + value
        else:
            head = value[:11]
            if ":" in head and head.lower().startswith(_SKIP_SCHEMES):
                continue
            url = join(value)
        if "#" in url:
            url = url.partition("#")[0]
        if not url.startswith(web) and not url[:8].lower().startswith(web):
            continue
        if url in seen:
            continue
        seen.add(url)
        kind = kinds.get((tag, attr)) or _link_kind(tag, attr)
        out.append(f"{url} {kind}")
        if len(out) >= limit:
            break
    return out
