"""HTTP Content-Encoding removal (gzip, deflate, br) with a size cap; br through brotlicffi.

Brotli goes through ``brotlicffi`` because the ``brotli`` import name is shared: pywb's
``brotlipy`` installs a ``brotli`` package that shadows Google's ``brotli`` module, and its
Decompressor lacks the ``process()`` that Scrapy calls, so br pages failed to decode in any
venv that has pywb. Nothing else installs a ``brotlicffi``.
"""

from __future__ import annotations

import zlib
from io import BytesIO

import brotlicffi

__all__ = ["DECODABLE", "DecodedTooLarge", "decode_body", "split_codings"]

#: the content codings decode_body removes (anything else is left to Scrapy or kept)
DECODABLE = frozenset({b"gzip", b"x-gzip", b"deflate", b"br"})

_CHUNK = 65536


class DecodedTooLarge(ValueError):
    """The decoded body grew past the cap (DOWNLOAD_MAXSIZE): a decompression bomb or a huge page."""

    def __init__(self, size: int, max_size: int) -> None:
        super().__init__(f"{size} B decoded so far exceeds the maximum of {max_size} B")
        self.size = size
        self.max_size = max_size


def split_codings(values: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """(codings to remove, last applied first; codings to keep, in header order).

    ``Content-Encoding: gzip, br`` was gzipped, then brotli-compressed: br comes off first.
    Removal stops at the first coding (from the end) that is not in DECODABLE.
    """
    keep = [part.strip().lower() for value in values for part in value.split(b",") if part.strip()]
    remove: list[bytes] = []
    while keep and keep[-1] in DECODABLE:
        remove.append(keep.pop())
    return remove, keep


def _check(size: int, max_size: int) -> None:
    if max_size and size > max_size:
        raise DecodedTooLarge(size, max_size)


def _unbrotli(data: bytes, max_size: int) -> bytes:
    decompressor = brotlicffi.Decompressor()
    out = BytesIO()
    chunk = decompressor.process(data, output_buffer_limit=_CHUNK)
    size = len(chunk)
    _check(size, max_size)
    out.write(chunk)
    while not decompressor.is_finished():
        chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            raise brotlicffi.error("truncated brotli stream")
        size += len(chunk)
        _check(size, max_size)
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes, max_size: int, wbits: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = BytesIO()
    size = 0
    pending = data
    while True:
        chunk = decompressor.decompress(pending, _CHUNK)
        size += len(chunk)
        _check(size, max_size)
        out.write(chunk)
        pending = decompressor.unconsumed_tail
        if decompressor.eof:
            # gzip: concatenated members are one body (RFC 1952)
            rest = decompressor.unused_data
            if wbits == 16 + zlib.MAX_WBITS and rest.strip(b"\x00"):
                decompressor = zlib.decompressobj(wbits)
                pending = rest
                continue
            return out.getvalue()
        if not pending and not chunk:
            raise zlib.error("truncated compressed stream")


def _deflate(data: bytes, max_size: int) -> bytes:
    try:
        return _inflate(data, max_size, zlib.MAX_WBITS)
    except zlib.error:
        # raw deflate without the zlib wrapper, as some (Microsoft) servers send it
        return _inflate(data, max_size, -zlib.MAX_WBITS)


def decode_body(body: bytes, codings: list[bytes], max_size: int = 0) -> bytes:
    """``body`` with ``codings`` (from split_codings, last applied first) removed.

    Raises DecodedTooLarge past ``max_size`` (0: no cap), and ``zlib.error`` or
    ``brotlicffi.error`` on a corrupt or truncated stream.
    """
    for coding in codings:
        if coding in (b"gzip", b"x-gzip"):
            body = _inflate(body, max_size, 16 + zlib.MAX_WBITS)
        elif coding == b"deflate":
            body = _deflate(body, max_size)
        elif coding == b"br":
            body = _unbrotli(body, max_size)
        else:
            raise ValueError(f"not a decodable content coding: {coding!r}")
    return body
