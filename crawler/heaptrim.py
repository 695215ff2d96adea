"""An extension that hands the crawl process's freed heap pages back to the OS now and then."""

from __future__ import annotations

import ctypes
import logging
from typing import Any

from crawler.config import settings_value

logger = logging.getLogger(__name__)


def malloc_trim() -> bool:
    """glibc's ``malloc_trim(0)``: return free heap pages (not only the top) to the OS.

    False where there is no glibc (musl, macOS): nothing to do there.
    """
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


class HeapTrimExtension:
    """Every ARCHIVE_HEAP_TRIM_INTERVAL seconds, ``malloc_trim(0)`` on the reactor thread.

    The crawl process allocates every response body (5 KB to several MB) and frees it a
    moment later, from the reactor and from upload and finishing threads. glibc keeps the
    freed pages inside its heaps and hands back only a heap's top, so a long crawl's RSS
    crept up with whatever the backlog of responses once was. A trim takes a few
    milliseconds; the extraction workers trim the same way after their pages.
    """

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> HeapTrimExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        interval = float(settings_value(crawler.settings, "ARCHIVE_HEAP_TRIM_INTERVAL"))
        if interval <= 0:
            raise NotConfigured("ARCHIVE_HEAP_TRIM_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        from twisted.internet import task

        self._task = task.LoopingCall(self.trim)
        self._task.start(self.interval, now=False)

    def trim(self) -> None:
        if malloc_trim() and self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsvault/memory/heap_trims")

    def spider_closed(self, spider: Any = None) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
