"""Stop the crawl at the first write the spool refuses (disk full, quota, file too large)."""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The crawl's finish reason: not an OK one, so `scrapy crawl` and `newsvault crawl` exit 1.
STOP_REASON = "spool_write_error"
STAT_ERRORS = "newsvault/spool/write_errors"
STAT_NOT_WRITTEN = "newsvault/spool/not_written"

_WRITE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.ENOMEM}
)


def is_write_error(exc: BaseException) -> bool:
    """True for errors that mean the spool cannot take more data (not for a bug)."""
    if isinstance(exc, OSError):
        return exc.errno in _WRITE_ERRNOS
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "disk" in text or "full" in text or "i/o" in text
    return False


def free_space(path: Path) -> str:
    """Free space on the file system of ``path`` (or its nearest existing parent)."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = float(shutil.disk_usage(probe).free)
    except OSError:
        return "unknown"
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if free < 1024 or unit == "GiB":
            return f"{free:.0f} {unit}" if unit == "bytes" else f"{free:.1f} {unit}"
        free /= 1024
    return "unknown"  # pragma: no cover


def stopped(crawler: Crawler) -> bool:
    """True once a spool write failed in this crawl: writers then write nothing more."""
    return bool(crawler.stats is not None and crawler.stats.get_value(STAT_ERRORS))


def skip_write(crawler: Crawler) -> None:
    """Count a record not written because the crawl is stopping for a full spool."""
    if crawler.stats is not None:
        crawler.stats.inc_value(STAT_NOT_WRITTEN)


def spool_write_failed(crawler: Crawler, path: Any, exc: BaseException) -> None:
    """The first time: one ERROR line (path, error, free space) and close the spider.

    Later failures (other writers, downloads already in flight) are only counted. What
    is complete is shipped by the normal close path; the manifest lists it.
    """
    first = not stopped(crawler)
    if crawler.stats is not None:
        crawler.stats.inc_value(STAT_ERRORS)
    if not first:
        return
    reason = getattr(exc, "strerror", None) or str(exc)
    logger.error(
        "Cannot write %s: %s (%s free there). Stopping the crawl: complete files are "
        "shipped and the run manifest written; free space in the spool and run again",
        path,
        reason,
        free_space(Path(str(path))),
    )
    engine = getattr(crawler, "engine", None)
    if engine is None:
        return
    from scrapy.utils.defer import deferred_from_coro

    def close() -> None:
        deferred_from_coro(engine.close_spider_async(reason=STOP_REASON))

    if threading.current_thread() is threading.main_thread():
        close()
    else:  # an uploader or finisher thread: the engine lives on the reactor thread
        from twisted.internet import reactor

        reactor.callFromThread(close)  # type: ignore[attr-defined]
