"""One archived capture by URL: found in the capture index, read by byte range, revisits resolved."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crawler.archive.captures import local_indexes
from crawler.archive.catalog import Archive, ArchiveError, Run
from pipelines.capture_index import parse_warc_date, surt_key
from pipelines.warc import StoredRecord, read_record

logger = logging.getLogger(__name__)

#: Filled in after a timestamp prefix: "2026-11" means the start of November 2026.
_TS_TEMPLATE = "19700101000000"


def parse_at(value: str) -> datetime:
    """A WARC timestamp or its prefix (``20261125``, ``20261125101451``) or an ISO date-time."""
    text = value.strip()
    if text.isdigit() and 4 <= len(text) <= 14:
        text = text + _TS_TEMPLATE[len(text) :]
    moment = parse_warc_date(text)
    if moment is None:
        raise ValueError(
            f"--at {value!r}: use a timestamp such as 20261125101451 (or a prefix, 20261125) "
            "or an ISO date-time"
        )
    return moment


@dataclass(frozen=True)
class Capture:
    """A row of the capture index."""

    url: str
    fetch_time: datetime
    status: int | None
    record_type: str
    payload_digest: str | None
    warc_key: str
    offset: int
    length: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Capture:
        when = row["fetch_time"]
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return cls(
            url=row["url"],
            fetch_time=when or datetime.min.replace(tzinfo=timezone.utc),
            status=row["status"],
            record_type=row["record_type"],
            payload_digest=row["payload_digest"],
            warc_key=row["warc_key"],
            offset=int(row["record_offset"]),
            length=int(row["record_length"]),
        )


class CaptureIndex:
    """The capture rows of some runs, loaded once (local Parquet files)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        import pyarrow.parquet as pq

        self.paths = list(paths)
        self._pq = pq

    def where(self, filters: list[tuple[str, str, Any]]) -> list[Capture]:
        if not self.paths:
            return []
        table = self._pq.read_table([str(p) for p in self.paths], filters=filters)
        return [Capture.from_row(r) for r in table.to_pylist()]

    def of_url(self, url: str) -> list[Capture]:
        found = self.where([("url", "=", url)])
        return found or self.where([("urlkey", "=", surt_key(url))])


def closest(captures: Sequence[Capture], at: datetime | None) -> Capture:
    """The capture nearest ``at`` (the latest without one); ties go to the earlier."""
    if at is None:
        return max(captures, key=lambda c: c.fetch_time)
    return min(captures, key=lambda c: (abs((c.fetch_time - at).total_seconds()), c.fetch_time))


def parse_record(data: bytes) -> StoredRecord:
    """A record from its gzip member's bytes (through the WARC module's own reader)."""
    fd, name = tempfile.mkstemp(prefix="newsvault-record-", suffix=".warc.gz")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return read_record(Path(name), 0, len(data))
    finally:
        os.unlink(name)


def fetch(archive: Archive, capture: Capture) -> StoredRecord:
    """Read just this capture's bytes from its WARC file."""
    data = archive.read_range(("warc", capture.warc_key), capture.offset, capture.length)
    if len(data) != capture.length:
        raise ArchiveError(
            f"warc/{capture.warc_key}: only {len(data)} of {capture.length} bytes at offset "
            f"{capture.offset}: the index does not match the file (rebuild it with "
            "`newsvault index --force`)"
        )
    return parse_record(data)


@dataclass(frozen=True)
class Found:
    capture: Capture
    record: StoredRecord
    original: Capture | None  # the response a revisit points to
    payload_record: StoredRecord  # where the payload comes from (the original for a revisit)


def find_original(index: CaptureIndex, revisit: StoredRecord, capture: Capture) -> Capture:
    target = revisit.warc_header("WARC-Refers-To-Target-URI")
    when = parse_warc_date(revisit.warc_header("WARC-Refers-To-Date") or "")
    digest = revisit.warc_header("WARC-Payload-Digest") or capture.payload_digest
    candidates = []
    if digest:
        rows = index.where([("payload_digest", "=", digest)])
        candidates = [c for c in rows if c.record_type == "response"]
    if target:
        exact = [
            c for c in candidates if c.url == target and (when is None or c.fetch_time == when)
        ]
        if exact:
            return exact[0]
    earlier = [c for c in candidates if c.fetch_time <= capture.fetch_time]
    if earlier or candidates:
        return max(earlier or candidates, key=lambda c: c.fetch_time)
    raise ArchiveError(
        f"the revisit of {capture.url} at {capture.fetch_time:%Y-%m-%dT%H:%M:%SZ} points to "
        f"{target or 'an earlier capture'} ({digest}), which is not in the selected runs: "
        "widen --since/--until or check that the original run is in the archive"
    )


def find_record(
    archive: Archive, runs: Sequence[Run], url: str, at: datetime | None, workdir: Path
) -> Found:
    index = CaptureIndex(local_indexes(archive, runs, workdir))
    captures = index.of_url(url)
    if not captures:
        raise ArchiveError(f"{url} is not in {archive.uri}: no capture of it in the selected runs")
    capture = closest(captures, at)
    record = fetch(archive, capture)
    if record.rec_type != "revisit":
        return Found(capture, record, None, record)
    original = find_original(index, record, capture)
    return Found(capture, record, original, fetch(archive, original))
