"""Progress while a crawl runs: a live status line on a terminal, a log line every N seconds otherwise."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.config import settings_value
from crawler.outcome import per_source
from crawler.summary import human_bytes

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Seconds between refreshes of the live line on a terminal.
TERMINAL_REFRESH = 1.0


@dataclass(frozen=True)
class Snapshot:
    """The counters one progress line shows."""

    at: float  # time.monotonic()
    pages: int
    articles: int
    queue: int
    errors: int
    archived_bytes: int
    uploads_pending: int


def take_snapshot(stats: Mapping[str, Any], queue: int, uploads_pending: int) -> Snapshot:
    sources = per_source(stats)
    return Snapshot(
        at=time.monotonic(),
        pages=int(stats.get("downloader/response_count", 0) or 0),
        articles=sum(c.get("articles", 0) for c in sources.values()),
        queue=queue,
        errors=sum(c.get("errors", 0) + c.get("http_errors", 0) for c in sources.values()),
        archived_bytes=int(stats.get("newsvault/warc/bytes_written", 0) or 0),
        uploads_pending=uploads_pending,
    )


def progress_line(now: Snapshot, before: Snapshot | None) -> str:
    """``pages 120 | articles 40 | queue 12 | 8.5 pages/s | errors 3 | archived 2.1 MB | uploads pending 1``."""
    rate = 0.0
    if before is not None and now.at > before.at:
        rate = (now.pages - before.pages) / (now.at - before.at)
    return (
        f"pages {now.pages} | articles {now.articles} | queue {now.queue} | "
        f"{rate:.1f} pages/s | errors {now.errors} | archived {human_bytes(now.archived_bytes)} | "
        f"uploads pending {now.uploads_pending}"
    )


class ProgressExtension:
    """Shows how the crawl is going.

    On a terminal (stderr is a TTY) a tqdm status line is redrawn every second and log
    lines are written above it (tqdm's logging redirect); otherwise an INFO line
    ``Progress: ...`` every ``ARCHIVE_PROGRESS_INTERVAL`` seconds (0 switches it off). It
    replaces Scrapy's LogStats, which the add-on disables.
    """

    def __init__(self, crawler: Crawler, *, interval: float, terminal: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.terminal = terminal
        self._loop: Any = None
        self._bar: Any = None
        self._redirect: contextlib.ExitStack | None = None
        self._last: Snapshot | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        interval = float(settings_value(crawler.settings, "ARCHIVE_PROGRESS_INTERVAL"))
        terminal = sys.stderr.isatty()
        if not terminal and interval <= 0:
            raise NotConfigured("ARCHIVE_PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval=interval, terminal=terminal)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> Snapshot:
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        queue = 0
        engine = self.crawler.engine
        scheduler = getattr(engine, "scheduler", None) if engine is not None else None
        if scheduler is not None:
            with contextlib.suppress(TypeError):
                queue = len(scheduler)  # type: ignore[arg-type]
        if engine is not None:
            queue += len(getattr(engine.downloader, "active", ()))
        return take_snapshot(stats, queue, self._uploads_pending())

    def _uploads_pending(self) -> int:
        from pipelines.storage import UploadExtension

        upload = self.crawler.get_extension(UploadExtension)
        return upload.uploader.queued() if upload is not None else 0

    def spider_opened(self, spider: Any = None) -> None:
        from twisted.internet import task

        self._last = self.snapshot()
        if self.terminal:
            self._start_terminal()
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(TERMINAL_REFRESH if self.terminal else self.interval, now=False)

    def _start_terminal(self) -> None:
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        root = logging.getLogger()
        levels = [h.level for h in root.handlers if isinstance(h, logging.StreamHandler)]
        self._redirect = contextlib.ExitStack()
        self._redirect.enter_context(logging_redirect_tqdm())
        for handler in root.handlers:  # the redirect does not copy the console's level
            if type(handler).__name__ == "_TqdmLoggingHandler" and levels:
                handler.setLevel(levels[0])
        try:
            sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
        except OSError:
            sized = False
        # A pty without a window reports 0x0, which tqdm takes as "no room for a bar".
        fallback = shutil.get_terminal_size()
        self._bar = tqdm(
            total=None,
            bar_format="{desc}",
            file=sys.stderr,
            dynamic_ncols=sized,
            ncols=None if sized else fallback.columns,
            nrows=None if sized else fallback.lines,
            leave=False,
        )
        self._bar.set_description_str(progress_line(self._last or self.snapshot(), None))

    def tick(self) -> None:
        now = self.snapshot()
        if self.terminal:
            # The rate over the last ~10 s reads steadier than per-second jumps.
            before = self._last
            line = progress_line(now, before)
            if before is None or now.at - before.at >= 10 * TERMINAL_REFRESH:
                self._last = now
            if self._bar is not None:
                self._bar.set_description_str(line)
        else:
            logger.info("Progress: %s", progress_line(now, self._last))
            self._last = now

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._redirect is not None:
            self._redirect.close()
            self._redirect = None
