"""The Scrapy extension that owns a crawl's Uploader: storage check at open, shipping at close."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipelines.storage.base import StorageConfigError
from pipelines.storage.uploader import Uploader, UploaderConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


def in_thread(fn: Callable[..., Any], *args: Any) -> Deferred[Any]:
    """Run ``fn`` in a daemon thread; a Deferred fires on the reactor with its result.

    Not the reactor's thread pool: a forced shutdown (second Ctrl-C) joins that pool and
    would wait out the close timeout; whatever is unfinished stays safely in the spool.
    """
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    d: Deferred[Any] = Deferred()

    def run() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:
            failure = Failure(exc)
            reactor.callFromThread(d.errback, failure)  # type: ignore[attr-defined]
        else:
            reactor.callFromThread(d.callback, result)  # type: ignore[attr-defined]

    threading.Thread(target=run, name="newsvault-storage", daemon=True).start()
    return d


class UploadExtension:
    """Owns the crawl's one Uploader; other components reach it with ``crawler.get_extension``.

    At ``spider_opened`` it probes the spool and every store (closing the spider with
    ``storage_unavailable`` if one is unusable) and starts the upload threads; at
    ``engine_stopped``, after every producer submitted its last file, it drains the queue
    and runs the close hooks (state, then the run manifest).
    """

    def __init__(self, crawler: Crawler, uploader: Uploader) -> None:
        self.crawler = crawler
        self.uploader = uploader
        self.checked: bool | None = None  # None until the storage check has run
        self._waiters: list[Deferred[None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UploadExtension:
        from scrapy import signals

        uploader = Uploader(
            UploaderConfig.from_settings(crawler.settings),
            store_options=crawler.settings,
            stats=crawler.stats,
        )
        ext = cls(crawler, uploader)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    async def wait_checked(self) -> bool:
        """Wait for the storage check of ``spider_opened``; True if the stores are usable."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import Deferred

        if self.checked is None:
            d: Deferred[None] = Deferred()
            self._waiters.append(d)
            await maybe_deferred_to_future(d)
        return bool(self.checked)

    def _checked(self, ok: bool) -> None:
        self.checked = ok
        waiters, self._waiters = self._waiters, []
        for d in waiters:
            d.callback(None)

    async def spider_opened(self, spider: Any = None) -> None:
        from scrapy.exceptions import CloseSpider
        from scrapy.utils.defer import maybe_deferred_to_future

        up = self.uploader
        try:
            await maybe_deferred_to_future(in_thread(up.check, up.config.create_bucket))
        except StorageConfigError as exc:
            up.state = "failed"
            self._checked(False)
            logger.error("%s", exc)
            raise CloseSpider("storage_unavailable") from None
        except Exception as exc:  # an S3 error the probe does not know: still fail fast
            up.state = "failed"
            self._checked(False)
            logger.error("Storage check failed: %s: %s", type(exc).__name__, exc)
            raise CloseSpider("storage_unavailable") from None
        up.state = "running"
        pending = up.enqueue_pending()
        if pending:
            logger.info("Uploading %d file(s) left in %s by an earlier run", pending, up.ready_dir)
        up.start()
        self._checked(True)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.uploader.state == "failed":
            left = self.uploader.pending_files()
            if left:
                logger.warning(
                    "Storage unavailable; %d file(s) wait in %s for `newsvault upload`",
                    len(left),
                    self.uploader.ready_dir,
                )

    async def engine_stopped(self) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future

        up = self.uploader
        if up.state == "failed":
            return
        if up.state == "new":
            # The spider never opened: nothing was probed or started; ship what we have.
            logger.warning("Uploader started late; uploading everything at close")
            up.enqueue_pending()
        # engine_stopped comes after every spider_closed/close_spider handler, so every
        # producer has submitted its last file by now; stats are still readable.
        await maybe_deferred_to_future(in_thread(up.finish))


def uploader_of(crawler: Crawler) -> Any:
    """The crawl's Uploader, or a stand-in that leaves finished files in the spool."""
    from pipelines.gzfiles import SpoolOnly

    ext = crawler.get_extension(UploadExtension)
    return ext.uploader if ext is not None else SpoolOnly()
