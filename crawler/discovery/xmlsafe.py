"""Safe XML parsing for untrusted feeds and sitemaps: no entities, no network, bounded size."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from io import BytesIO
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

#: The sitemaps protocol's cap, applied to every XML document and decompressed body.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

_ROOT_START = re.compile(rb"<[^?!]")
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
# An ampersand that starts no entity or character reference: `?id=7&page=2` in a <link>.
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
_CDATA = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|$)", re.DOTALL)


class UnsafeDocument(ValueError):
    """The document was refused: too large, or it declares entities or an internal DTD."""


def check_size(data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
    if len(data) > max_bytes:
        raise UnsafeDocument(f"document of {len(data)} bytes exceeds the {max_bytes} byte cap")


def is_gzip(data: bytes) -> bool:
    return data[:2] == _GZIP_MAGIC


def gunzip_bounded(data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """Decompress gzip ``data``, refusing output beyond ``max_bytes`` (gzip bombs).

    Reads in bounded steps, so a bomb costs at most ``max_bytes`` of memory.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    while pending:
        room = max_bytes - len(out)
        try:
            chunk = inflater.decompress(pending, room + 1)
        except zlib.error as exc:
            if out:
                break  # a truncated or corrupt tail: keep what was readable
            raise ValueError(f"not gzip data: {exc}") from exc
        out += chunk
        if len(out) > max_bytes:
            raise UnsafeDocument(f"gzip data inflates beyond the {max_bytes} byte cap")
        pending = inflater.unconsumed_tail
        if inflater.eof:
            # Concatenated gzip members are legal; ignore trailing garbage otherwise.
            rest = inflater.unused_data
            if rest and is_gzip(rest):
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                pending = rest
            else:
                break
        elif not chunk:
            break
    return bytes(out)


def check_prolog(data: bytes) -> None:
    """Refuse documents whose prolog has an internal DTD subset or entity declarations.

    Feeds and sitemaps never need them; they are how billion-laughs and external
    entity attacks start. (Entities are also never resolved by :func:`parser`.)
    """
    m = _ROOT_START.search(data)
    prolog = data[: m.start()] if m else data
    doctype = prolog.find(b"<!DOCTYPE")
    if b"<!ENTITY" in prolog or (doctype >= 0 and b"[" in prolog[doctype:]):
        raise UnsafeDocument("document declares a DTD internal subset or entities")


_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}


def parser(*, recover: bool = True) -> etree.XMLParser:
    """An lxml parser that never expands entities or touches the network."""
    return etree.XMLParser(recover=recover, **_PARSER_OPTIONS)


def repair(data: bytes) -> bytes:
    """Undo the two slips lenient parsers forgive, before a strict XML tokenizer sees them.

    Whitespace (or a UTF-8 byte-order mark and whitespace) before the XML declaration is
    dropped, and bare ``&`` in text (an unescaped query string) becomes ``&amp;``, so
    ``?id=7&page=2`` keeps its ``page`` parameter instead of losing it to the recovery.
    Entities are still never declared nor expanded.
    """
    start = data.lstrip(_UTF8_BOM + b" \t\r\n")
    if len(start) < len(data) and start[:5] == b"<?xml":
        data = start
    if b"&" in data:
        data = _escape_bare_ampersands(data)
    return data


def _escape_bare_ampersands(data: bytes) -> bytes:
    """`&` -> `&amp;` where it starts no reference, outside CDATA sections (literal there)."""
    if b"<![CDATA[" not in data:
        return _BARE_AMPERSAND.sub(b"&amp;", data)
    out: list[bytes] = []
    pos = 0
    for section in _CDATA.finditer(data):
        out.append(_BARE_AMPERSAND.sub(b"&amp;", data[pos : section.start()]))
        out.append(section.group())
        pos = section.end()
    out.append(_BARE_AMPERSAND.sub(b"&amp;", data[pos:]))
    return b"".join(out)


def parse_xml(data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> etree._Element:
    """Parse untrusted XML into its root element; raises UnsafeDocument or ValueError."""
    check_size(data, max_bytes)
    check_prolog(data)
    data = repair(data)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not parseable XML: {exc}") from exc
    if root is None:
        raise ValueError("empty XML document")
    return root


def iter_xml(data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[etree._Element]:
    """Yield each element of untrusted XML at its end event, with bounded memory.

    The caller may read an element's children; elements are cleared once the caller
    moves on, so a 50 MB sitemap never holds its whole tree.
    """
    check_size(data, max_bytes)
    check_prolog(data)
    data = repair(data)
    context = etree.iterparse(BytesIO(data), events=("end",), recover=True, **_PARSER_OPTIONS)
    try:
        for _event, elem in context:
            yield elem
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not parseable XML: {exc}") from exc


def localname(elem: etree._Element) -> str:
    """The tag without namespace, lowercased; ``""`` for comments and PIs."""
    tag = elem.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def namespace(elem: etree._Element) -> str:
    tag = elem.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def text_of(elem: etree._Element | None) -> str:
    """All text within ``elem`` (entity references dropped), stripped."""
    if elem is None:
        return ""
    return "".join(t for t in elem.itertext() if isinstance(t, str)).strip()
