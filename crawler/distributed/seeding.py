"""Once per run across workers: start requests into the queue, and each article into the archive.

Every worker runs the spider's ``start()``: it also sets the spider up (config, state
index). The first workers to get there pass its requests on; the run's dupefilter and
the atomic push make each one enter the queue once, however many workers start at the
same moment. The first worker to finish marks the run seeded; workers that join later
drop the start requests without asking Redis about each. (scrapy-redis's own spiders
read start URLs from a Redis list when idle, and have no async ``start()``.)

One article reached under two URLs is one article: the spider keeps that promise within
a worker; across workers, the run's set of canonical URLs in Redis keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy.exceptions import NotConfigured

# not crawler.distributed.scheduler: scrapy_redis is imported only by crawls that use it
from crawler.distributed.config import STAT, DistributedConfig, redis_client, redis_errors
from crawler.items import PageItem

logger = logging.getLogger(__name__)


class SeedOnceMiddleware:
    """Spider middleware: the spider's start requests enter the run's queue once."""

    def __init__(self, crawler: Any, config: DistributedConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.server = redis_client(config.redis_url)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeedOnceMiddleware:
        config = DistributedConfig.from_settings(crawler.settings)
        if not config.redis_url:
            raise NotConfigured("crawl.redis_url is not set: a single-process crawl")
        return cls(crawler, config)

    def _seeded(self) -> bool:
        try:
            return bool(self.server.get(self.config.keys.seeded) == b"1")
        except redis_errors() as exc:
            logger.warning("Redis unreachable (%s): passing start requests on", exc)
            return False

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        seeded = self._seeded()
        count = 0
        async for item in start:
            count += 1
            if not seeded:
                yield item
        stats = self.crawler.stats
        if seeded:
            logger.info(
                "Run %s was seeded already: %d start request(s) dropped", self.config.run_id, count
            )
            stats.inc_value(f"{STAT}/seeds_dropped", count)
            return
        stats.inc_value(f"{STAT}/seeds_passed", count)
        try:
            self.server.set(self.config.keys.seeded, "1", ex=self.config.run_ttl)
        except redis_errors() as exc:
            logger.warning("Redis unreachable (%s): run not marked seeded yet", exc)


class ArticleOnceMiddleware:
    """Spider middleware: an article reached by two workers under two URLs is archived once."""

    def __init__(self, crawler: Any, config: DistributedConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.server = redis_client(config.redis_url)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArticleOnceMiddleware:
        config = DistributedConfig.from_settings(crawler.settings)
        if not config.redis_url:
            raise NotConfigured("crawl.redis_url is not set: a single-process crawl")
        return cls(crawler, config)

    def _first(self, canonical: str) -> bool:
        try:
            return bool(self.server.sadd(self.config.keys.articles, canonical))
        except redis_errors() as exc:
            # Archive it: a duplicate article beats a lost one.
            logger.warning("Redis unreachable (%s): not checking %s across workers", exc, canonical)
            return True

    def _keep(self, item: Any) -> bool:
        if not isinstance(item, PageItem):
            return True
        if self._first(str(item.discovery.get("canonical") or item.url)):
            return True
        # The spider counted it as an article; another worker archived it.
        stats = self.crawler.stats
        stats.inc_value(f"newsvault/source/{item.source}/articles", -1)
        stats.inc_value(f"newsvault/source/{item.source}/duplicates")
        logger.debug("%s was archived by another worker this run", item.url)
        return False

    def process_spider_output(self, response: Any, result: Any) -> Any:
        for item in result:
            if self._keep(item):
                yield item

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            if self._keep(item):
                yield item
