"""The extraction pipeline: PageItems become Articles in a process pool, off the reactor."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from crawler.config import DEFAULT_SETTINGS
from crawler.discovery.dates import published_too_old
from crawler.extract import (
    EXTRACTOR_NAME,
    ExtractionOptions,
    PageTooLargeForWorker,
    WorkerRetired,
    extractor_version,
    refusal,
    worker_extract,
    worker_extract_pages,
    worker_init,
    worker_ready,
)
from crawler.items import Article, ArticleItem, PageItem, Provenance
from pipelines.workerpool import WorkerPool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["STATS_PREFIX", "ExtractionPipeline", "ExtractionPoolConfig"]

STATS_PREFIX = "newsvault/extract"
#: seconds a fresh pool's workers may take to start (import trafilatura, warm up)
WORKER_START_TIMEOUT = 300.0


@dataclass(frozen=True)
class ExtractionPoolConfig:
    """What the extraction pipeline reads from the settings."""

    comments: bool = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_COMMENTS"]
    workers: int = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_WORKERS"]
    timeout: float = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_TIMEOUT"]
    favor: str = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_FAVOR"]
    include_tables: bool = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_INCLUDE_TABLES"]
    max_html_mb: float = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_MAX_HTML_MB"]
    max_worker_mb: float = DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_MAX_WORKER_MB"]

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ExtractionPoolConfig:
        workers = settings.get("ARCHIVE_EXTRACTION_WORKERS")
        try:
            workers = int(workers or cls.workers)
            timeout = float(settings.get("ARCHIVE_EXTRACTION_TIMEOUT") or cls.timeout)
        except (TypeError, ValueError) as err:
            raise NotConfigured(
                f"ARCHIVE_EXTRACTION_WORKERS/ARCHIVE_EXTRACTION_TIMEOUT must be numbers ({err}); "
                "fix extraction.workers or extraction.timeout in archive_config.yaml"
            ) from err
        if workers < 0 or timeout <= 0:
            raise NotConfigured(
                "extraction.workers must be >= 0 and extraction.timeout > 0 in archive_config.yaml"
            )
        return cls(
            comments=settings.getbool("ARCHIVE_EXTRACTION_COMMENTS", cls.comments),
            workers=workers,
            timeout=timeout,
            favor=settings.get("ARCHIVE_EXTRACTION_FAVOR") or cls.favor,
            include_tables=settings.getbool(
                "ARCHIVE_EXTRACTION_INCLUDE_TABLES", cls.include_tables
            ),
            max_html_mb=settings.getfloat("ARCHIVE_EXTRACTION_MAX_HTML_MB", cls.max_html_mb),
            max_worker_mb=settings.getfloat("ARCHIVE_EXTRACTION_MAX_WORKER_MB", cls.max_worker_mb),
        )

    @property
    def max_html_bytes(self) -> int:
        return int(self.max_html_mb * 1024 * 1024)

    @property
    def pool_size(self) -> int:
        if self.workers:
            return self.workers
        try:
            return len(os.sched_getaffinity(0)) or 1
        except AttributeError:  # pragma: no cover - not Linux
            return os.cpu_count() or 1

    def options(self) -> ExtractionOptions:
        return ExtractionOptions(
            comments=self.comments,
            favor=self.favor,
            include_tables=self.include_tables,
            timeout_s=self.timeout,
        )


# ---------------------------------------------------------------------------
# pipeline


class _Retry(Exception):
    """The pool broke under this job (another page crashed it): run it once more."""


class ExtractionPipeline:
    """Extract each PageItem in a process pool; the reactor keeps downloading meanwhile."""

    # the function run in the worker: module-level so it pickles by reference
    job: Callable[..., dict[str, Any]] = staticmethod(worker_extract)
    # a multi-page article: all its pages in one job, merged in the worker
    pages_job: Callable[..., dict[str, Any]] = staticmethod(worker_extract_pages)

    def __init__(
        self, config: ExtractionPoolConfig, stats: StatsCollector | None = None, run_id: str = ""
    ) -> None:
        self.config = config
        self.stats = stats
        self.run_id = run_id
        self.options = config.options()

        self.extractor_version = extractor_version()
        self.settings_hash = self.options.settings_hash()
        self._pool: WorkerPool | None = None
        self._generation = 0
        #: pools being replaced, by generation: they finish their running jobs, then stop
        self._retiring: dict[int, WorkerPool] = {}
        #: the current pool's start-up jobs: a page's timeout starts once a worker is up
        self._started: list[Future[Any]] = []
        self._retired: list[threading.Thread] = []
        self._slots: asyncio.Semaphore | None = None
        self._pending: set[asyncio.Future[Any]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        if not crawler.settings.getbool(
            "ARCHIVE_EXTRACTION_ENABLED", DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_ENABLED"]
        ):
            raise NotConfigured("archive-only crawl (extraction.enabled: false)")
        pipeline = cls(
            ExtractionPoolConfig.from_settings(crawler.settings),
            crawler.stats,
            run_id=str(crawler.settings.get("ARCHIVE_RUN_ID") or ""),
        )
        # Start the workers now: their imports (trafilatura ~1 s) overlap with the rest of
        # the crawler's start-up instead of delaying the first pages.
        pipeline.start_workers()
        return pipeline

    # -- pool management -------------------------------------------------

    def _new_pool(self) -> WorkerPool:
        self._generation += 1
        logger.debug(
            "starting extraction pool #%d with %d workers", self._generation, self.config.pool_size
        )
        return WorkerPool(
            self.config.pool_size,
            initializer=functools.partial(worker_init, self.config.max_worker_mb),
        )

    def start_workers(self) -> None:
        """Spawn every worker (and run its initializer) without waiting for it."""
        self._get_pool()

    def _get_pool(self) -> WorkerPool:
        if self._pool is None:
            self._pool = self._new_pool()
            self._started = [self._pool.submit(worker_ready) for _ in range(self.config.pool_size)]
        return self._pool

    def _kill_pool(self, generation: int) -> None:
        """Terminate a stuck or broken pool (the current one or a retiring one) and forget it."""
        pool = self._retiring.pop(generation, None)
        if pool is None:
            pool = self._pool
            if pool is None or generation != self._generation:
                return
            self._pool = None
        pool.terminate()

    def _retire_pool(self, generation: int) -> None:
        """Replace the pool of a worker that went over its memory limit with fresh workers.

        The old pool takes no new pages; its healthy workers finish what they run, the
        worker over its limit refuses the rest (WorkerRetired: they go to the new pool),
        then all of them exit. Nothing running is killed or lost.
        """
        pool = self._pool
        if pool is None or generation != self._generation:
            return  # already replaced (another page of the same pool went over)
        self._pool = None
        self._retiring[generation] = pool
        self._inc("workers_recycled")

        def stop() -> None:
            pool.shutdown()
            self._retiring.pop(generation, None)

        thread = threading.Thread(target=stop, name=f"newsvault-retire-pool-{generation}")
        thread.start()
        self._retired.append(thread)
        self.start_workers()

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}", count)

    # -- Scrapy hooks -------------------------------------------------------

    async def open_spider(self) -> None:
        self._slots = asyncio.Semaphore(2 * self.config.pool_size)
        self._get_pool()

    async def close_spider(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown)
        for thread in self._retired:
            await asyncio.to_thread(thread.join)
        self._retired.clear()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        content_type = (item.content_type or "").lower()
        if content_type and not any(kind in content_type for kind in ("html", "xml", "text/plain")):
            self._inc("not_html")
            raise DropItem(f"not an HTML page ({item.content_type}): {item.url}", log_level="INFO")
        refused = refusal(item.body, self.config.max_html_bytes)
        if refused is not None:
            # archived (the WARC has it), but parsing it would cost more than it can give
            self._inc("binary" if "binary" in refused else "too_large")
            logger.warning("Not extracting %s: %s; it is archived", item.url, refused)
            raise DropItem(f"not extracted: {refused}: {item.url}", log_level="DEBUG")
        if item.parts:
            self._refuse_parts(item)
        try:
            try:
                article = await self._run(item)
            except _Retry:
                article = await self._run(item)
        except _Retry as err:
            self._inc("errors")
            logger.error("extraction crashed the worker twice on %s: %s", item.url, err)
            raise DropItem(f"extraction crashed on {item.url}") from err
        except PageTooLargeForWorker as err:
            self._inc("errors")
            self._inc("worker_memory")
            logger.warning(
                "Not extracted: %s took an extraction worker over extraction.max_worker_mb "
                "(%.0f MB); the page is archived and the worker replaced by a fresh one",
                item.url,
                self.config.max_worker_mb,
            )
            raise DropItem(str(err), log_level="DEBUG") from err
        except asyncio.TimeoutError as err:
            self._inc("timeouts")
            logger.error("extraction timed out after %.0fs on %s", self.config.timeout, item.url)
            raise DropItem(f"extraction timed out on {item.url}") from err
        except DropItem:
            raise
        except Exception as err:
            self._inc("errors")
            logger.error("extraction failed on %s: %r", item.url, err)
            raise DropItem(f"extraction failed on {item.url}: {err!r}") from err
        if not article.get("text"):
            self._inc("no_text")
            # a page that looked like an article but is not one: counted, no warning
            raise DropItem(f"no article text on {item.url}", log_level="INFO")
        # The date known before fetching (feed, sitemap, URL) may have been missing.
        if published_too_old(article.get("published"), (item.discovery or {}).get("max_age_days")):
            self._inc("too_old")
            if self.stats is not None:
                self.stats.inc_value(f"newsvault/source/{item.source}/filtered_age")
            raise DropItem(
                f"published {article.get('published')}, older than max_age_days: {item.url}",
                log_level="INFO",
            )
        self._inc("articles")
        self._inc("comments", len(article.get("comments") or ()))
        if item.parts or item.missing_pages:
            self._inc("multipage_articles")
            self._inc("missing_pages", len(item.missing_pages))
        return self.finish(article, item)

    def _refuse_parts(self, item: PageItem) -> None:
        """Further pages extraction refuses (binary, too large) count as missing pages."""
        kept = []
        for part in item.parts:
            refused = refusal(part.body, self.config.max_html_bytes)
            if refused is None:
                kept.append(part)
                continue
            self._inc("parts_refused")
            logger.warning(
                "Not extracting %s, page of %s: %s; it is archived", part.url, item.url, refused
            )
            item.missing_pages.append(part.url)
        item.parts = kept

    def _submit(self, pool: WorkerPool, item: PageItem) -> Future[dict[str, Any]]:
        args = (item.body, item.url, item.encoding, self.options, dict(item.discovery or {}))
        if not item.parts:
            return pool.submit(self.job, *args)
        parts = [(p.url, p.kind, p.body, p.encoding) for p in item.parts]
        return pool.submit(self.pages_job, *args, parts, list(item.missing_pages))

    async def _run(self, item: PageItem) -> dict[str, Any]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(2 * self.config.pool_size)
        # the timeout is per page: a multi-page article is extracted in one job
        timeout = self.config.timeout * (1 + len(item.parts))
        async with self._slots:
            pool = self._get_pool()
            generation = self._generation
            try:
                # Starting a worker (imports, warm-up) is no page's time: on a loaded
                # machine it can take longer than the timeout, which then killed every
                # fresh pool before it ran a page.
                started = asyncio.wrap_future(self._started[0])
                await asyncio.wait_for(asyncio.shield(started), WORKER_START_TIMEOUT)
            except (BrokenProcessPool, asyncio.TimeoutError) as err:
                self._kill_pool(generation)
                raise _Retry(f"the extraction workers did not start ({err!r})") from err
            try:
                cfut: Future[dict[str, Any]] = self._submit(pool, item)
            except (BrokenProcessPool, RuntimeError) as err:
                self._kill_pool(generation)
                raise _Retry(str(err)) from err
            fut = asyncio.wrap_future(cfut)
            self._pending.add(fut)
            # a job abandoned on timeout still ends (broken pool): consume its outcome
            fut.add_done_callback(lambda f: f.cancelled() or f.exception())
            try:
                return await asyncio.wait_for(asyncio.shield(fut), timeout)
            except asyncio.TimeoutError:
                # a running task cannot be cancelled: the stuck worker goes with its pool
                self._kill_pool(generation)
                raise
            except BrokenProcessPool as err:
                self._kill_pool(generation)
                raise _Retry(str(err)) from err
            except PageTooLargeForWorker:
                self._retire_pool(generation)
                raise
            except WorkerRetired as err:
                # queued to the worker over its limit before it was replaced: run it anew
                self._retire_pool(generation)
                raise _Retry(str(err)) from err
            finally:
                self._pending.discard(fut)

    def finish(self, extracted: dict[str, Any], item: PageItem) -> ArticleItem:
        """The published Article (with source, fetch time and provenance), and its aliases."""
        warc = item.warc or {}
        provenance = Provenance(
            run_id=self.run_id,
            warc_file=warc.get("warc_file"),
            record_id=warc.get("record_id"),
            offset=warc.get("offset"),
            length=warc.get("length"),
            warc_date=warc.get("warc_date"),
            payload_digest=warc.get("payload_digest"),
            fetched_at=item.fetched_at,
            extractor=EXTRACTOR_NAME,
            extractor_version=self.extractor_version,
            settings_hash=self.settings_hash,
        )
        article = Article.from_extracted(
            extracted, source=item.source, fetched_at=item.fetched_at, provenance=provenance
        )
        discovery = item.discovery or {}
        # every URL the page was reached under, and its further pages: the state index
        # skips them in later runs
        aliases = (
            item.url,
            item.request_url,
            discovery.get("canonical"),
            discovery.get("request_url"),
            *(part.url for part in item.parts),
        )
        return ArticleItem(article, tuple(a for a in aliases if isinstance(a, str) and a))
