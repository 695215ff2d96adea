"""Sequential WARC reading for bulk jobs: FastWARC when installed (the only module that imports
it), else warcio through `pipelines.warc`; both yield `StoredRecord`s."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from pipelines.warc import StoredRecord, iter_records

logger = logging.getLogger(__name__)

READERS = ("fastwarc", "warcio")
#: What bulk jobs read: captures and the metadata records beside them.
WANTED = ("response", "revisit", "metadata")


def fastwarc_available() -> bool:
    try:
        import fastwarc.warc  # noqa: F401
    except ImportError:
        return False
    return True


def default_reader() -> str:
    """FastWARC when installed: measured faster on our gzip WARCs (benchmarks/bench_reextract.py)."""
    return "fastwarc" if fastwarc_available() else "warcio"


def _scan_fastwarc(path: Path) -> Iterator[StoredRecord]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    types = WarcRecordType.response | WarcRecordType.revisit | WarcRecordType.metadata
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, record_types=types, parse_http=True):
            http = rec.http_headers
            status = None
            protocol = None
            headers: list[tuple[str, str]] = []
            if http is not None:
                code = http.status_code
                status = int(code) if code is not None else None
                protocol = str(http.status_line).split(" ", 1)[0] or None
                headers = [(str(k), str(v)) for k, v in http.items()]
            yield StoredRecord(
                rec_type=str(rec.record_type),
                warc_headers=[(str(k), str(v)) for k, v in rec.headers.items()],
                http_protocol=protocol,
                http_status=status,
                http_headers=headers,
                payload=rec.reader.read(),
            )


def scan(path: Path, reader: str | None = None) -> Iterator[StoredRecord]:
    """The response, revisit and metadata records of a WARC file, in order."""
    reader = reader or default_reader()
    if reader == "fastwarc":
        yield from _scan_fastwarc(path)
        return
    if reader != "warcio":
        raise ValueError(f"unknown WARC reader {reader!r}: use {' or '.join(READERS)}")
    for record in iter_records(path):
        if record.rec_type in WANTED:
            yield record
