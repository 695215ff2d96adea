"""HTML page -> article dict: metadata, clean text and structured comments (the trafilatura call)."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from crawler.extract.article_dates import find_dates
from crawler.extract.attrs import page_attributes
from crawler.extract.boilerplate import BoilerplateLines, clean_lines
from crawler.extract.captions import with_captions
from crawler.extract.comments import (
    STATUS_NONE,
    STATUS_NOT_IN_HTML,
    STATUS_OPEN,
    CommentResult,
    extract_comments,
    flat_comments,
)
from crawler.extract.detect import looks_like_article
from crawler.extract.metadata import PageMeta, find_authors, find_metadata, text_value
from crawler.extract.options import ExtractionOptions
from crawler.extract.parse import decode_html, parse_text
from crawler.extract.text import block_text, normalize_line

logger = logging.getLogger(__name__)

__all__ = ["extract_article"]

_DEFAULT_OPTIONS = ExtractionOptions()


def _empty_article(url: str) -> dict[str, Any]:
    return {
        "url": url,
        "canonical_url": url,
        "title": None,
        "authors": [],
        "published": None,
        "modified": None,
        "date_source": None,
        "language": None,
        "description": None,
        "section": None,
        "tags": [],
        "image": None,
        "site_name": None,
        "text": "",
        "word_count": 0,
        "comments": [],
        "comments_status": STATUS_NONE,
        "is_article": False,
    }


_LANG_CODE_RE = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_]|$)")


def _page_language(tree: HtmlElement) -> str | None:
    """The page's language when all its declarations agree (two-letter code), else None."""
    codes = set()
    for value in (
        *tree.xpath(
            "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content"
        ),
        *tree.xpath("//meta[@property='og:locale']/@content"),
        tree.getroottree().getroot().get("lang") or "",
    ):
        match = _LANG_CODE_RE.match(str(value))
        if match:
            codes.add(match.group(1).lower())
    return codes.pop() if len(codes) == 1 else None


class _NoLangidWarning(logging.Filter):
    """trafilatura warns on every page with a target language when py3langid is absent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Language detector not installed")


_LANGID_FILTER = _NoLangidWarning()


# An article's own extraction at least this long (characters) is kept as it is: trafilatura's
# fallbacks (readability, justext) then only swap the article for a larger block of the page
# (a print copy beside the article, the page around it); shorter ones still get them.
SUBSTANTIAL_ARTICLE_TEXT = 1000


def _main_text(
    tree: HtmlElement, url: str, options: ExtractionOptions, *, is_article: bool = False
) -> tuple[str, str]:
    # Imported on first use: the crawl process only needs options, hashes and
    # looks_like_article; trafilatura lives in the extraction workers.
    import trafilatura
    from trafilatura.settings import JUSTEXT_LANGUAGES

    traf_logger = logging.getLogger("trafilatura.utils")
    if _LANGID_FILTER not in traf_logger.filters:
        traf_logger.addFilter(_LANGID_FILTER)

    # A known page language gives trafilatura's justext fallback that language's stoplist
    # instead of the union of all 100 (≈30 MB per process, and less precise on the corpus).
    language = _page_language(tree)
    if language not in JUSTEXT_LANGUAGES:
        language = None
    kwargs: dict[str, Any] = {
        "url": url,
        "favor_precision": options.favor == "precision",
        "favor_recall": options.favor == "recall",
        # always: trafilatura then keeps comment-like blocks out of the body
        "include_comments": True,
        "include_tables": options.include_tables,
        "include_images": False,
        "include_links": False,
        "with_metadata": False,
        "deduplicate": False,
    }
    document = None
    if is_article:
        # the main extractor alone first: on an article it is right where it finds enough
        # text, and the fallbacks cost about as much again
        document = trafilatura.bare_extraction(tree, target_language=language, fast=True, **kwargs)
        if (
            document is None
            or len(getattr(document, "text", None) or "") < SUBSTANTIAL_ARTICLE_TEXT
        ):
            document = None
    if document is None:
        document = trafilatura.bare_extraction(tree, target_language=language, **kwargs)
    if document is None and language is not None:
        # a language check said no: extract without one rather than lose the page
        document = trafilatura.bare_extraction(tree, **kwargs)
    text = getattr(document, "text", None) or ""
    comments = getattr(document, "comments", None) or ""
    if len(text) < SHORT_TEXT:
        # a short post beside a side box: readability's scores favour the post's block
        candidate = _readability_text(tree)
        if len(candidate.split()) >= SHORT_MIN_WORDS:
            text = candidate
    elif _table_share(text) >= LAYOUT_TABLE_SHARE:
        # a page laid out in a table: trafilatura takes the whole table (menus, side cells,
        # ads and all); readability's best-scoring cell is the content, unless it holds only a
        # small part of the table's text: then the text runs through the table (an old page
        # whose one big table is the article) and a single cell loses most of it
        candidate = _readability_text(tree)
        enough = len(candidate) >= LAYOUT_CELL_SHARE * len(text)
        if enough and len(candidate.split()) >= READABILITY_MIN_WORDS:
            text = candidate
    return text, comments


# Share of the text in table rows above which the page is taken for a table layout, and the
# words and share of the table's text readability's candidate needs to replace it.
LAYOUT_TABLE_SHARE = 0.8
READABILITY_MIN_WORDS = 100
LAYOUT_CELL_SHARE = 0.5
# Under this many characters, the text trafilatura found is as often a side box (an author's
# "about me", a site's blurb) as a short post: readability's best-scoring block replaces it
# when it has a few words.
SHORT_TEXT = 500
SHORT_MIN_WORDS = 5


def _table_share(text: str) -> float:
    """Share of the characters of trafilatura's text in table rows (its "| a | b |" lines)."""
    total = rows = 0
    for line in text.splitlines():
        size = len(line.strip())
        total += size
        if line.lstrip().startswith("|"):
            rows += size
    return rows / total if total else 0.0


def _readability_text(tree: HtmlElement) -> str:
    """The text of readability's best candidate block (readability-lxml, not trafilatura's port:
    on table layouts the port often picks one small cell where readability-lxml takes the
    article's)."""
    from readability import Document

    # it logs an INFO line on short pages and a traceback for pages it cannot summarise;
    # both are ours to report (at DEBUG, below), not the crawl log's
    logging.getLogger("readability").setLevel(logging.CRITICAL)
    try:
        # Document rewrites the tree it is given
        summary = Document(copy.deepcopy(tree)).summary(html_partial=True)
        node = lxml.html.fromstring(summary)
    except Exception:  # lxml/parser errors on odd pages: keep trafilatura's text
        logger.debug("readability failed", exc_info=True)
        return ""
    return block_text(node)


def extract_article(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    options: ExtractionOptions = _DEFAULT_OPTIONS,
    hints: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Extract one page into a JSON-ready article dict (see issue 4 for the fields).

    ``hints`` holds discovery metadata (from a feed or sitemap: published, modified,
    title, author, language, via); it only fills fields the page itself lacks.
    """
    hints = dict(hints or {})
    html_text = decode_html(body, encoding)
    tree = parse_text(html_text)
    if tree is None:
        article = _empty_article(url)
        article["title"] = text_value(hints.get("title"))
        return article

    is_article = looks_like_article(tree, url)
    meta = PageMeta(tree, url)
    info = find_metadata(tree, url, meta, hints)
    dates = find_dates(meta, tree, url, hints, options)
    attrs = page_attributes(tree)
    authors = find_authors(meta, tree, hints, attrs, info["site_name"])

    # Comment sections are located even when comments are not wanted: they are pruned
    # from the tree either way, so reader comments never end up in the body.
    result = CommentResult()
    try:
        # no `source` prefilter: lower-casing and scanning the whole page cost more than the
        # "comments closed" check it spared (it passes on most pages: "closed" is in CSS/JS)
        result = extract_comments(tree, url, ld_objects=meta.ld, attrs=attrs)
    except Exception:  # a bug in one markup family must not lose the article
        logger.exception("comment extraction failed on %s", url)

    # Boilerplate containers are only read here; their lines are subtracted from the text
    # afterwards, so trafilatura's own choice of the main block is left undisturbed.
    boiler_lines = BoilerplateLines(tree) if options.prune_boilerplate else None
    # comment sections leave the tree before main-text extraction: comments never leak into the body
    _drop(_outermost(list(result.nodes)))
    text, flat = _main_text(tree, url, options, is_article=is_article)

    headlines = [
        info["title"],
        info["raw_title"],
        info["h1"],
        meta.first("og:title"),
        meta.first("twitter:title"),
    ]
    # the guard: what repeats the article's headline, teaser or captions is not a comment
    article_lines = {
        normalize_line(x)
        for x in (*headlines, info["description"], *_captions(tree))
        if x and len(x) >= 15
    }
    comments = [c.as_dict() for c in result.comments]
    comments = [c for c in comments if normalize_line(c["text"]) not in article_lines]
    status = result.status
    # the last fallback, except where the page says its comments load by JavaScript: what
    # trafilatura finds there is the widget's prompts ("activate your account to comment")
    if not comments and flat.strip():
        flat_found = [c.as_dict() for c in flat_comments(flat, url)]
        if status == STATUS_NOT_IN_HTML and sum(_remark(c["text"]) for c in flat_found) < 2:
            # where a widget loads comments, what trafilatura finds is mostly its prompts
            # ("activate your account to comment"); several real remarks are static comments
            flat_found = []
        if not text.strip():
            # trafilatura took the article for its comments: it is the text
            text, flat_found = flat, []
        elif any(normalize_line(c["text"]) in article_lines for c in flat_found):
            flat_found = []  # headline, teaser or captions among them: article parts
        if flat_found:
            comments = flat_found
            status = STATUS_OPEN
            result.method = "trafilatura"
    if not comments and result.empty_widget:
        status = STATUS_NOT_IN_HTML
    comment_texts = {normalize_line(c["text"]) for c in comments if len(c["text"]) >= 20}
    paragraphs = clean_lines(text, [h for h in headlines if h], comment_texts, boiler_lines)
    paragraphs = with_captions(tree, paragraphs)
    clean = "\n\n".join(paragraphs)
    if not info["title"] and hints.get("title"):
        info["title"] = text_value(hints["title"])

    article = _empty_article(url)
    article.update(
        {
            "canonical_url": info["canonical_url"],
            "title": info["title"],
            "authors": authors,
            "published": dates["published"],
            "modified": dates["modified"],
            "date_source": dates["date_source"],
            "language": info["language"],
            "description": info["description"],
            "section": info["section"],
            "tags": info["tags"],
            "image": info["image"],
            "site_name": info["site_name"],
            "text": clean,
            "word_count": len(clean.split()),
            "comments": comments if options.comments else [],
            # null: comments were not asked for, so nothing is claimed about them
            "comments_status": status if options.comments else None,
            "comments_method": result.method if options.comments else None,
            "is_article": is_article,
        }
    )
    return article


_SENTENCE_RE = re.compile(r"\w[.!?…]+(?:\s|$)")


def _remark(text: str) -> bool:
    """Reads like something a reader wrote: a few words, in sentences."""
    return len(text.split()) >= 6 and bool(_SENTENCE_RE.search(text))


def _captions(tree: HtmlElement) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.iter("figcaption")]


def _outermost(nodes: list[HtmlElement]) -> list[HtmlElement]:
    chosen = set(nodes)
    out = []
    seen: set[HtmlElement] = set()
    for node in nodes:
        if node in seen:
            continue
        seen.add(node)
        if any(anc in chosen for anc in node.iterancestors()):
            continue
        out.append(node)
    return out


def _drop(nodes: list[HtmlElement]) -> None:
    for node in nodes:
        parent = node.getparent()
        if parent is None:
            continue
        tail = node.tail
        if tail and tail.strip():
            prev = node.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(node)
