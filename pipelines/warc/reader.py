"""WARC records read back, for tools that must not import warcio themselves."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.contentcoding import decode_body, split_codings

logger = logging.getLogger(__name__)


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
        """The payload with its Content-Encoding (gzip, deflate, br) removed.

        Not through warcio's decompressors: its br one needs the ``brotli`` module, which
        is brotlipy or Google's depending on what else is installed (crawler.contentcoding).
        A payload that does not decode is returned as stored.
        """
        remove, _keep = split_codings(
            [v.encode("latin-1") for n, v in self.http_headers if n.lower() == "content-encoding"]
        )
        if not self.payload or not remove:
            return self.payload
        try:
            return decode_body(self.payload, remove)
        except Exception as exc:
            logger.warning("Cannot decode the stored body of %s: %s", self.target_uri, exc)
            return self.payload


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
