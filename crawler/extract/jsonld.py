"""JSON-LD blocks of a page: objects (``@graph`` flattened), their types, article types."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

_WRAPPER_RE = re.compile(
    r"^\s*(?://|/\*)?\s*<!\[CDATA\[\s*(?:\*/)?|(?://|/\*)?\s*\]\]>\s*(?:\*/)?\s*$|^\s*<!--|-->\s*$"
)

# schema.org types (lower case) of a JSON-LD object that is one article
ARTICLE_LD_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
    "discussionforumposting",
    "posting",
    "report",
    "review",
}


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, with @graph and top-level lists flattened."""
    out: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        if raw.startswith(("//", "/*", "<!")):
            # wrapped for old parsers: //<![CDATA[ ... //]]>, /*<![CDATA[*/ ... /*]]>*/, <!-- ... -->
            raw = _WRAPPER_RE.sub("", raw).strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            # common breakage: raw control characters inside strings
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]+", " ", raw))
            except ValueError:
                logger.debug("unparseable JSON-LD block skipped")
                continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[0:0] = item
            elif isinstance(item, dict):
                out.append(item)
                # the article may sit in a @graph or as a WebPage's mainEntity
                for key in ("@graph", "mainEntity"):
                    inner = item.get(key)
                    if isinstance(inner, list):
                        stack.extend(inner)
                    elif isinstance(inner, dict):
                        stack.append(inner)
    _resolve_references(out)
    return out


# properties whose value is often only a reference ({"@id": ...}) to another object of the graph
_REFERENCE_KEYS = ("author", "creator", "publisher", "mainEntityOfPage", "isPartOf")


def _resolve_references(objects: list[dict[str, Any]]) -> None:
    """Replace ``{"@id": X}`` under author/creator/publisher by the object with that @id."""
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
    if not by_id:
        return
    for obj in objects:
        for key in _REFERENCE_KEYS:
            value = obj.get(key)
            if isinstance(value, dict) and len(value) == 1 and value.get("@id") in by_id:
                obj[key] = by_id[value["@id"]]
            elif isinstance(value, list):
                obj[key] = [
                    by_id.get(v["@id"], v)
                    if isinstance(v, dict) and len(v) == 1 and isinstance(v.get("@id"), str)
                    else v
                    for v in value
                ]


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """The ``@type`` values of one JSON-LD object, lower-cased, any URL prefix dropped."""
    types = obj.get("@type")
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return set()
    return {str(t).rsplit("/", 1)[-1].lower() for t in types}
