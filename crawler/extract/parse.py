"""HTML bytes -> lxml tree: charset detection, decoding and parsing (parsed once per page)."""

from __future__ import annotations

import codecs
import logging
import re

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HTMLParser, document_fromstring

logger = logging.getLogger(__name__)

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE[^>]*>", re.I)
# characters libxml2 rejects: C0 controls but tab, LF and CR (single bytes in UTF-8, never
# inside a multi-byte sequence), and U+FFFE and U+FFFF
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
# ... and character references to those controls (``&#26;``), which libxml2 decodes into the
# tree: trafilatura then fails on the page and loses all its text
_CONTROL_REF_RE = re.compile(
    rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])(?![0-9])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])(?![0-9a-fA-F]));?"
)


def _xml_safe(data: bytes) -> bytes:
    """``data`` (UTF-8) without the control characters libxml2 rejects or references to them."""
    data = data.translate(None, _CONTROL_BYTES)
    for seq in _NONCHARACTERS:
        if seq in data:
            data = data.replace(seq, b"")
    return _CONTROL_REF_RE.sub(b"", data)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # browsers treat latin-1 and ascii labels as windows-1252
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode_html(body: bytes | str, encoding: str | None = None) -> str:
    """Decode an HTML body: BOM, then the given (HTTP) encoding, then <meta charset>, then UTF-8, then cp1252."""
    if isinstance(body, str):
        return body
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    http_codec = _codec(encoding)
    declared = _META_CHARSET_RE.search(body[:4096])
    meta_codec = _codec(declared.group(1).decode("ascii", "ignore")) if declared else None
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the labels say: text in a
    # single-byte encoding practically never decodes as UTF-8 by accident.
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in (http_codec, meta_codec):
        if label and label != "utf-8":
            try:
                return body.decode(label)
            except (UnicodeDecodeError, LookupError):
                continue
    # mostly-UTF-8 pages with a few broken bytes stay UTF-8
    label = http_codec or meta_codec
    if label == "utf-8" or label is None:
        text = body.decode("utf-8", errors="replace")
        if label == "utf-8" or text.count("\ufffd") * 200 < len(text):
            return text
    return body.decode(label if label and label != "utf-8" else "cp1252", errors="replace")


# The decoded page goes to libxml2 as UTF-8 bytes: handing it a Python str costs a
# conversion of its own (60% slower parsing on the corpus). Same options as trafilatura's
# own parser, so the tree we hand over needs no re-parse.
_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    remove_comments=True,
    remove_pis=True,
    encoding="utf-8",
)
# lxml.html picks a Python class per element through a Python-level lookup, paid every
# time an element proxy is made (millions of times per hundred pages: about a tenth of
# extraction). One C-level default class keeps every HtmlElement method we use.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment)
)


def parse_page(body: bytes | str, encoding: str | None = None) -> HtmlElement | None:
    """Parse a page once into an lxml tree (None when it is not HTML)."""
    return parse_text(decode_html(body, encoding))


def parse_text(text: str) -> HtmlElement | None:
    """Parse decoded HTML into an lxml tree (None when it is not HTML)."""
    text = _XML_DECL_RE.sub("", text, count=1)
    # libxml2 mis-parses some pages whose doctype shares the first line with markup
    # (lxml bug 1955915): drop the doctype, as trafilatura's own loader does
    head, sep, rest = text.partition("\n")
    if "doctype" in head[:50].lower():
        text = _DOCTYPE_RE.sub("", head, count=1) + sep + rest
    if not text or text.isspace():
        return None
    data = _xml_safe(text.encode("utf-8", "replace"))
    try:
        tree = document_fromstring(data, parser=_PARSER)
    except (TypeError, ValueError, etree.ParserError) as err:
        logger.debug("unparseable HTML: %s", err)
        return None
    return tree if len(tree) else None
