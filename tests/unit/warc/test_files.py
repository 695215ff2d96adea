"""Finished WARC files: which gzip members are complete records."""

from __future__ import annotations

from pipelines.warc import (
    validate_warc_member,
)


def test_validate_warc_member() -> None:
    record = b"WARC/1.1\r\nWARC-Type: metadata\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
    assert validate_warc_member(record)
    assert not validate_warc_member(record[:-2])
    assert not validate_warc_member(record.replace(b"3", b"4"))
    assert not validate_warc_member(b"HTTP/1.1 200 OK\r\n\r\n")
