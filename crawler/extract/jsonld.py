"""JSON-LD blocks of a page: objects (``@graph`` flattened), their types, article types."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

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
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                elif isinstance(graph, dict):
                    stack.append(graph)
    return out


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """The ``@type`` values of one JSON-LD object, lower-cased, any URL prefix dropped."""
    types = obj.get("@type")
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return set()
    return {str(t).rsplit("/", 1)[-1].lower() for t in types}
