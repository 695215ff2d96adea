"""WARC records read back, for tools that must not import warcio themselves."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator


@dataclass(frozen=True)
class StoredRecord:
    """One WARC record read back, for tools that must not import warcio themselves."""

    rec_type: str
    warc_headers: list[tuple[str, str]]
    http_protocol: str | None
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes  # as stored: still content-encoded

    def warc_header(self, name: str) -> str | None:
        return next((v for n, v in self.warc_headers if n.lower() == name.lower()), None)

    def http_header(self, name: str) -> str | None:
        return next((v for n, v in self.http_headers if n.lower() == name.lower()), None)

    @property
    def target_uri(self) -> str | None:
        return self.warc_header("WARC-Target-URI")

    @property
    def record_id(self) -> str | None:
        return self.warc_header("WARC-Record-ID")

    @property
    def warc_date(self) -> str | None:
        return self.warc_header("WARC-Date")

    def decoded_payload(self) -> bytes:
        """The payload with its Content-Encoding (gzip, deflate, br) removed."""
        from warcio.bufferedreaders import BufferedReader

        encoding = (self.http_header("Content-Encoding") or "").strip().lower()
        if not self.payload or encoding not in BufferedReader.get_supported_decompressors():
            return self.payload
        return BufferedReader(io.BytesIO(self.payload), decomp_type=encoding).read()


def _stored(record: Any) -> StoredRecord:
    http = record.http_headers
    status: int | None = None
    protocol: str | None = None
    if http is not None and record.rec_type in ("response", "revisit"):
        protocol = http.protocol
        with contextlib.suppress(ValueError):
            status = int(http.get_statuscode())
    elif http is not None:
        protocol = http.protocol
    return StoredRecord(
        rec_type=record.rec_type,
        warc_headers=list(record.rec_headers.headers),
        http_protocol=protocol,
        http_status=status,
        http_headers=list(http.headers) if http is not None else [],
        payload=record.raw_stream.read(),
    )


def iter_records(path: Path) -> Iterator[StoredRecord]:
    """Every record of a WARC file, read back."""
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            yield _stored(record)


def read_record(path: Path, offset: int, length: int) -> StoredRecord:
    """The record at `offset` (its gzip member is `length` bytes), e.g. from `nv_warc` or CDXJ."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    return _stored(next(iter(ArchiveIterator(io.BytesIO(data)))))
