"""crawler.contentcoding: codings removed last-applied first, br without the shadowed ``brotli``."""

from __future__ import annotations

import gzip
import zlib

import brotlicffi
import pytest

from crawler.contentcoding import DecodedTooLarge, decode_body, split_codings
from pipelines.warc.reader import StoredRecord

PAGE = b"<html><body><p>" + b"Brotli news. " * 500 + b"</p></body></html>"


def test_codings_come_off_last_applied_first_and_stop_at_an_unknown_one() -> None:
    assert split_codings([b"gzip, br"]) == ([b"br", b"gzip"], [])
    assert split_codings([b"gzip", b"BR"]) == ([b"br", b"gzip"], [])
    assert split_codings([b"zstd, gzip"]) == ([b"gzip"], [b"zstd"])
    assert split_codings([b"br, zstd"]) == ([], [b"br", b"zstd"])


def test_stacked_codings_and_gzip_members_decode() -> None:
    body = brotlicffi.compress(gzip.compress(PAGE[:100]) + gzip.compress(PAGE[100:]))
    assert decode_body(body, [b"br", b"gzip"]) == PAGE
    assert decode_body(zlib.compress(PAGE), [b"deflate"]) == PAGE


def test_the_cap_holds_for_every_coding() -> None:
    for coding, body in (
        (b"br", brotlicffi.compress(PAGE)),
        (b"gzip", gzip.compress(PAGE)),
        (b"deflate", zlib.compress(PAGE)),
    ):
        with pytest.raises(DecodedTooLarge):
            decode_body(body, [coding], max_size=1000)
        assert decode_body(body, [coding], max_size=len(PAGE)) == PAGE


def test_a_stored_br_record_reads_back_decoded() -> None:
    record = StoredRecord(
        rec_type="response",
        warc_headers=[("WARC-Target-URI", "http://example.org/br")],
        http_protocol="HTTP/1.1",
        http_status=200,
        http_headers=[("Content-Type", "text/html"), ("Content-Encoding", "br")],
        payload=brotlicffi.compress(PAGE),
    )
    assert record.decoded_payload() == PAGE
