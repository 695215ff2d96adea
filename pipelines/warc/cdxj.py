"""CDXJ index lines, noted while writing or read back from a finished WARC by cdxj-indexer."""

from __future__ import annotations

import contextlib
import heapq
import io
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import surt
from warcio.timeutils import iso_date_to_timestamp

from pipelines.gzfiles import MemberLocation
from pipelines.warc.records import HttpCapture

_MIME_SPLIT = re.compile(r"[;\s]")


def _read_back(name: bytes, value: bytes) -> str | None:
    """A header value as warcio parses it back from the record (None: unsure)."""
    line = name + b": " + value
    if b"\r" in line or b"\n" in line:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("iso-8859-1")
    return text.rstrip().split(":", 1)[1].lstrip()


@lru_cache(maxsize=1024)
def surt_key(url: str) -> str:
    """The SURT key of ``url``, as cdxj-indexer makes it (the URL itself if surt fails).

    Cached: the CDXJ line and the capture index row of each capture both need it.
    """
    try:
        return str(surt.surt(url))
    except Exception:  # what cdxj-indexer does too
        return url


def cdxj_line(
    capture: HttpCapture, warc_date: str, payload_digest: str, revisit: bool, loc: MemberLocation
) -> str | None:
    """The line `cdxj-indexer --sort --post-append` writes for this response or revisit.

    None when it would take the indexer's own reading to be sure (not a GET, or an odd
    Content-Type header); the file is then indexed from disk when it closes.
    """
    if capture.method.upper() != "GET":
        return None
    index: dict[str, str] = {"url": capture.url}
    if revisit:
        index["mime"] = "warc/revisit"
    else:
        content_type = next(
            (v for n, v in capture.response_headers if n.strip().lower() == b"content-type"),
            None,
        )
        if content_type is not None:
            mime = _read_back(b"Content-Type", content_type)
            if mime is None:
                return None
            index["mime"] = _MIME_SPLIT.split(mime, 1)[0].strip()
    index["status"] = str(capture.status)
    index["digest"] = payload_digest
    index["length"] = str(loc.length)
    index["offset"] = str(loc.offset)
    index["filename"] = loc.name
    return f"{surt_key(capture.url)} {iso_date_to_timestamp(warc_date)} {json.dumps(index)}\n"


def cdxj_index(path: Path, filename: str) -> str:
    """CDXJ lines for a finished WARC, exactly as `cdxj-indexer --sort --post-append` (and
    pywb's wb-manager, which appends POST bodies too) writes them."""
    from cdxj_indexer.main import write_cdx_index

    out = io.StringIO()
    with open(path, "rb") as fh:
        write_cdx_index(out, fh, {"sort": True, "post_append": True, "filename": filename})
    return out.getvalue()


class CdxjSpill:
    """The CDXJ lines of one WARC being written, held in sorted runs on disk.

    A WARC file may take a whole crawl to fill (`warc.max_file_mb`); its index lines
    would grow the crawl's memory all that time. Every RUN_LINES lines are sorted and
    written beside the open WARC; `sorted_lines()` merges the runs when the file closes.
    """

    #: suffix of the run files, in the spool's open directory beside their WARC
    SUFFIX = ".cdxj-run"
    #: lines per sorted run (~1.5 MB of memory at most)
    RUN_LINES = 4096

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name
        self.count = 0
        self._buffer: list[str] = []
        self._runs: list[Path] = []

    def append(self, line: str) -> None:
        self._buffer.append(line)
        self.count += 1
        if len(self._buffer) >= self.RUN_LINES:
            self._write_run()

    def _write_run(self) -> None:
        path = self.directory / f"{self.name}{self.SUFFIX}{len(self._runs):05d}"
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.writelines(sorted(self._buffer))
        except BaseException:
            path.unlink(missing_ok=True)  # a full spool: the lines stay in memory
            raise
        self._runs.append(path)
        self._buffer = []

    def sorted_lines(self) -> Iterator[str]:
        """Every line, sorted (as `cdxj-indexer --sort` sorts: by the whole line)."""
        with contextlib.ExitStack() as stack:
            runs = [stack.enter_context(open(p, encoding="utf-8")) for p in self._runs]
            yield from heapq.merge(*runs, sorted(self._buffer))

    def discard(self) -> None:
        """Delete the run files (the index is written, or the file is indexed from disk)."""
        for path in self._runs:
            path.unlink(missing_ok=True)
        self._runs = []
        self._buffer = []

    @classmethod
    def remove_stale(cls, directory: Path) -> None:
        """Delete run files a killed crawl left (recovery indexes its WARCs from disk)."""
        for path in directory.glob(f"*{cls.SUFFIX}*"):
            path.unlink(missing_ok=True)
