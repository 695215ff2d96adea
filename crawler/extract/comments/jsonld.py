"""Comments given as JSON-LD (schema.org Comment objects, threaded through ``comment``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.extract.comments.model import Comment, short_id
from crawler.extract.dates import iso_with_zone
from crawler.extract.text import block_text, clean_inline


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    if isinstance(value, str):
        return clean_inline(value) or None
    return None


def _ld_text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return ""
    if "<" in value and ">" in value:
        try:
            frag = etree.fromstring(f"<div>{value}</div>", parser=etree.HTMLParser())
            body = frag.find(".//div")
            if body is not None:
                return block_text(body)
        except (etree.ParserError, ValueError):
            pass
    return "\n\n".join(p.strip() for p in re.split(r"\n\s*\n", value) if p.strip())


def jsonld_comments(objects: list[dict[str, Any]], url: str) -> list[Comment]:
    """Comments (threaded) under the ``comment``/``comments`` keys of JSON-LD objects."""
    out: list[Comment] = []
    seen: set[int] = set()

    def visit(item: Any, parent: str | None) -> None:
        if isinstance(item, list):
            for sub in item:
                visit(sub, parent)
            return
        if not isinstance(item, dict) or id(item) in seen:
            return
        seen.add(id(item))
        text = _ld_text(item.get("text") or item.get("commentText") or item.get("articleBody"))
        raw_id = item.get("@id") or item.get("identifier") or item.get("url")
        cid = short_id(raw_id) if isinstance(raw_id, (str, int)) else None
        if text:
            if cid is None:
                cid = f"c{len(out) + 1}"
            own_parent = item.get("parentItem") or item.get("replyToUrl")
            if isinstance(own_parent, dict):
                own_parent = own_parent.get("@id") or own_parent.get("url")
            link = item.get("url") or (
                raw_id if isinstance(raw_id, str) and "#" in raw_id else None
            )
            out.append(
                Comment(
                    id=cid,
                    parent_id=short_id(own_parent)
                    if isinstance(own_parent, str) and own_parent
                    else parent,
                    author=_ld_name(item.get("author") or item.get("creator")),
                    published=iso_with_zone(item.get("dateCreated") or item.get("datePublished")),
                    byline=None,
                    text=text,
                    permalink=urljoin(url, link) if isinstance(link, str) else None,
                )
            )
        for key in ("comment", "comments"):
            if key in item:
                visit(item[key], cid if text else parent)

    for obj in objects:
        for key in ("comment", "comments"):
            if key in obj:
                visit(obj[key], None)
    return out
