"""Finished WARC files: member validation for crash recovery, indexing, handing to the spool."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.gzfiles import ClosedFile, move_to_ready, object_key, write_atomic
from pipelines.warc.cdxj import CdxjSpill, cdxj_index

logger = logging.getLogger(__name__)

WARC_EXT = "warc.gz"
WARC_STORE = "warc"


def validate_warc_member(data: bytes) -> bool:
    """True if a decompressed gzip member holds exactly one complete WARC record."""
    if not data.startswith(b"WARC/") or not data.endswith(b"\r\n\r\n"):
        return False
    head_end = data.find(b"\r\n\r\n")
    match = re.search(rb"\r\nContent-Length:\s*(\d+)", data[:head_end], re.IGNORECASE)
    if not match:
        return False
    return len(data) == head_end + 4 + int(match[1]) + 4


@dataclass(frozen=True)
class ReadyFile:
    path: Path
    store: str
    key: str
    records: int
    kind: str


def finish_warc(
    spool: Path, closed: ClosedFile, index_lines: CdxjSpill | None = None
) -> list[ReadyFile]:
    """Index a closed WARC, then move it and its CDXJ to `spool/ready/warc/<key>`.

    ``index_lines`` are the CDXJ lines noted while writing (see `cdxj_line`); without
    them the file is read back and indexed. The CDXJ lands first: a crash before the
    WARC moves leaves the `.open` file, which recovery re-indexes under the same name.
    """
    key = object_key(closed.name)
    ready: list[ReadyFile] = []
    cdxj_path = Path(spool) / "ready" / WARC_STORE / (key + ".cdxj")
    try:
        if index_lines is not None:
            # merged from the sorted runs on disk, never the whole index in memory
            write_atomic(cdxj_path, (line.encode("utf-8") for line in index_lines.sorted_lines()))
            count = index_lines.count
        else:
            index = cdxj_index(closed.path, closed.name)
            write_atomic(cdxj_path, index.encode("utf-8"))
            count = index.count("\n")
    except OSError as exc:  # e.g. disk full: the WARC is complete, ship it alone
        logger.warning(
            "Could not write %s (%s); shipping %s without its CDXJ",
            cdxj_path,
            exc.strerror or exc,
            closed.name,
        )
    except Exception:
        # the WARC matters more than its index: ship it anyway (`cdxj-indexer` can redo it)
        logger.exception("Could not index %s; shipping it without a CDXJ", closed.path)
    else:
        ready.append(ReadyFile(cdxj_path, WARC_STORE, key + ".cdxj", count, "cdxj"))
    finally:
        if index_lines is not None:
            index_lines.discard()
    warc_path = move_to_ready(spool, WARC_STORE, key, closed.path)
    ready.insert(0, ReadyFile(warc_path, WARC_STORE, key, closed.records, "warc"))
    return ready
