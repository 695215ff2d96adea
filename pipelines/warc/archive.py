"""Captures to rotating, deduplicated WARC files in the spool; no Scrapy in here."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pipelines.gzfiles import (
    OPEN_DIR,
    READY_DIR,
    ClosedFile,
    RotatingMemberWriter,
    Shipper,
    ensure_spool,
    make_file_name,
    recover_open_files,
)
from pipelines.warc.cdxj import CdxjSpill, cdxj_line
from pipelines.warc.config import WarcConfig
from pipelines.warc.files import (
    WARC_EXT,
    WARC_STORE,
    ReadyFile,
    finish_warc,
    validate_warc_member,
)
from pipelines.warc.records import HttpCapture, WarcRecordBuilder, warc_date_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaptureResult:
    """Provenance of the response (or revisit) record of one capture."""

    warc_file: str
    record_id: str
    offset: int
    length: int
    warc_date: str
    payload_digest: str
    revisit: bool
    request_record_id: str

    def as_meta(self) -> dict[str, Any]:
        return {
            "warc_file": self.warc_file,
            "record_id": self.record_id,
            "offset": self.offset,
            "length": self.length,
            "warc_date": self.warc_date,
            "payload_digest": self.payload_digest,
            "revisit": self.revisit,
        }


class DigestIndex(Protocol):
    """What the dedup needs from the incremental state (pipelines.state.StateIndex)."""

    def lookup_digest(self, digest: str) -> tuple[str, str] | None: ...

    def record_digest(self, digest: str, uri: str, warc_date: str) -> None: ...


class InRunDigestIndex:
    """Recent digests archived in this run: payload digest -> (uri, warc_date, record_id).

    Bounded: the ``max_entries`` most recently used are kept, so a long crawl does not
    grow with its pages. Older ones are still found in the incremental state (which has
    every digest, but no record id: such a revisit names its original by URI and date).
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._seen: OrderedDict[str, tuple[str, str, str | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def lookup(self, digest: str) -> tuple[str, str, str | None] | None:
        found = self._seen.get(digest)
        if found is not None:
            self._seen.move_to_end(digest)
        return found

    def lookup_digest(self, digest: str) -> tuple[str, str] | None:
        found = self.lookup(digest)
        return (found[0], found[1]) if found else None

    def record_digest(
        self, digest: str, uri: str, warc_date: str, record_id: str | None = None
    ) -> None:
        if digest in self._seen:  # the first capture stays the original
            self._seen.move_to_end(digest)
            return
        self._seen[digest] = (uri, warc_date, record_id)
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)


@dataclass
class WarcStats:
    records: int = 0
    revisits: int = 0
    files: int = 0
    bytes: int = 0
    #: compressed bytes written so far, open files included (progress; ``bytes`` counts closed files)
    bytes_written: int = 0


class WarcArchive:
    """Writes captures to rotating WARC files in the spool; no Scrapy in here.

    `finisher(closed)` takes each closed file (default: `finish_warc` then `ship`,
    inline); the extension runs it in a thread.
    """

    def __init__(
        self,
        config: WarcConfig,
        *,
        software: str,
        state: DigestIndex | None = None,
        uploader: Shipper | None = None,
        finisher: Callable[[ClosedFile], Any] | None = None,
        on_stat: Callable[[str, int], None] | None = None,
    ) -> None:
        self.config = config
        self.builder = WarcRecordBuilder(config, software)
        self.state = state
        self.uploader = uploader
        self.seen = InRunDigestIndex()
        self.stats = WarcStats()
        self._on_stat = on_stat
        self.spool = ensure_spool(config.spool)
        self.finisher = finisher or self.finish_and_ship
        # CDXJ lines noted while writing, per file name; None: index that file from disk
        self._index_lines: dict[str, CdxjSpill | None] = {}
        self.writer = RotatingMemberWriter(
            self.spool / OPEN_DIR,
            name_factory=self._name,
            on_complete=self._completed,
            max_bytes=config.max_file_bytes,
            header=self._warcinfo,
            ready_dir=self.spool / READY_DIR / WARC_STORE,
        )

    def _name(self, serial: int, created: datetime) -> str:
        return make_file_name(self.config.prefix, created, serial, self.config.host, WARC_EXT)

    def _count(self, name: str, value: int = 1) -> None:
        setattr(self.stats, name, getattr(self.stats, name) + value)
        if self._on_stat is not None:
            self._on_stat(name, value)

    def _warcinfo(self, name: str) -> list[bytes]:
        self._count("records")
        return [self.builder.warcinfo(name)]

    def take_index_lines(self, name: str) -> CdxjSpill | None:
        """The CDXJ lines of a file this archive wrote and closed (None: not known)."""
        return self._index_lines.pop(name, None)

    def _completed(self, closed: ClosedFile) -> None:
        self._count("files")
        self._count("bytes", closed.size)
        self.finisher(closed)

    # -- dedup

    def _find_original(
        self, digest: str, same_uri: str | None = None
    ) -> tuple[str, str, str | None] | None:
        """The earlier capture of this payload; with `same_uri`, only one of that URI."""
        found = self._lookup(digest)
        if found is not None and same_uri is not None and found[0] != same_uri:
            return None
        return found

    def _lookup(self, digest: str) -> tuple[str, str, str | None] | None:
        found = self.seen.lookup(digest)
        if found is not None:
            return found
        if self.state is not None:
            try:
                prior = self.state.lookup_digest(digest)
            except Exception:
                logger.exception("Digest lookup in the incremental state failed")
                prior = None
            if prior is not None:
                return prior[0], prior[1], None
        return None

    def _remember(self, digest: str, uri: str, warc_date: str, record_id: str) -> None:
        self.seen.record_digest(digest, uri, warc_date, record_id)
        if self.state is not None:
            try:
                self.state.record_digest(digest, uri, warc_date)
            except Exception:
                logger.exception("Recording a digest in the incremental state failed")

    def dedupable(self, capture: HttpCapture) -> bool:
        return capture.status == 200 and capture.method.upper() == "GET" and not capture.truncated

    def _original_of(self, capture: HttpCapture, digest: str) -> tuple[str, str, str | None] | None:
        """The capture a revisit of `capture` refers to, if any.

        Payloads under `revisit_min_bytes` (robots.txt, tiny JSON) are deduplicated only
        against an earlier capture of the same URI: the same small bytes under another URI
        say little, but the same URI fetched again unchanged is a revisit like any other.
        """
        if not self.dedupable(capture):
            return None
        small = len(capture.body) < self.config.revisit_min_bytes
        return self._find_original(digest, same_uri=capture.url if small else None)

    # -- writing

    def write_capture(self, capture: HttpCapture, warc_date: str | None = None) -> CaptureResult:
        """Write response (or revisit) + request records, sharing one WARC-Date."""
        warc_date = warc_date or warc_date_now()
        digest = self.builder.digest(capture.body)
        original = self._original_of(capture, digest)
        response_id, response = self.builder.response(capture, warc_date, digest, original)
        request_id, request = self.builder.request(capture, warc_date, response_id)
        locations = self.writer.write_group([response, request], rotate=False)
        response_loc = locations[0]
        self._count("bytes_written", sum(loc.length for loc in locations))
        name = response_loc.name
        if name not in self._index_lines:
            self._index_lines[name] = CdxjSpill(self.spool / OPEN_DIR, name)
        lines = self._index_lines[name]
        if lines is not None:
            line = cdxj_line(capture, warc_date, digest, original is not None, response_loc)
            if line is None:
                lines.discard()
                self._index_lines[name] = None
            else:
                lines.append(line)
        self.writer.rotate_if_full()
        self._count("records", 2)
        if original is not None:
            self._count("revisits")
        elif self.dedupable(capture):
            self._remember(digest, capture.url, warc_date, response_id)
        return CaptureResult(
            warc_file=response_loc.name,
            record_id=response_id,
            offset=response_loc.offset,
            length=response_loc.length,
            warc_date=warc_date,
            payload_digest=digest,
            revisit=original is not None,
            request_record_id=request_id,
        )

    def write_metadata(
        self, url: str, warc_date: str, concurrent_to: str, fields: Iterable[tuple[str, str]]
    ) -> None:
        loc = self.writer.write(self.builder.metadata(url, warc_date, concurrent_to, fields))
        self._count("records")
        self._count("bytes_written", loc.length)

    def close(self) -> None:
        self.writer.close()

    # -- finishing and recovery

    def finish_and_ship(self, closed: ClosedFile) -> list[ReadyFile]:
        ready = finish_warc(self.spool, closed, self.take_index_lines(closed.name))
        self.ship(ready)
        return ready

    def ship(self, ready: Iterable[ReadyFile]) -> None:
        if self.uploader is None:
            return
        for item in ready:
            self.uploader.submit(
                item.path, item.store, item.key, records=item.records, kind=item.kind
            )

    def recover(self) -> list[ClosedFile]:
        """Truncate crashed `.open` WARCs to their last complete record; finish each.

        Call before this archive writes: the index runs a killed crawl left are deleted
        (recovered files are indexed from disk).
        """
        CdxjSpill.remove_stale(self.spool / OPEN_DIR)
        return recover_open_files(
            self.spool / OPEN_DIR,
            "." + WARC_EXT,
            validate=validate_warc_member,
            finish=self.finisher,
        )
