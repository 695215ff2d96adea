"""Politeness Scrapy leaves out: robots.txt ``Crawl-delay``, and redirect hops that keep depth.

`CrawlDelayExtension` reads the ``Crawl-delay`` of every robots.txt the crawl downloads
(RobotsTxtMiddleware's own fetches included) and makes it the floor of that host's
download slot: capped by ``ARCHIVE_ROBOTS_MAX_CRAWL_DELAY`` (0: ignore the directive),
without Scrapy's random jitter (which would halve the gap), and put back after every
AutoThrottle adjustment, so AutoThrottle never goes below it.

`RedirectDepthMiddleware` is Scrapy's DepthMiddleware, except that a request marked
``nv_same_depth`` (the spider's next redirect hop) keeps the depth of the response it
came from: a 3-hop chain is one link, not four.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from protego import Protego
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.depth import DepthMiddleware

from crawler.config import settings_value

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

SAME_DEPTH = "nv_same_depth"
STAT_DELAY = "newsvault/robots/crawl_delay_ms"


class CrawlDelayExtension:
    """Obey robots.txt ``Crawl-delay`` per host (capped); AutoThrottle never goes below it."""

    def __init__(self, crawler: Crawler, max_delay: float, user_agent: str) -> None:
        self.crawler = crawler
        self.max_delay = max_delay
        self.user_agent = user_agent
        self.floors: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayExtension:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        max_delay = float(settings_value(settings, "ARCHIVE_ROBOTS_MAX_CRAWL_DELAY"))
        if max_delay <= 0:
            raise NotConfigured("ARCHIVE_ROBOTS_MAX_CRAWL_DELAY is 0: Crawl-delay ignored")
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        ext = cls(crawler, max_delay, agent)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        # connected after AutoThrottle (an earlier extension): runs after its adjustment
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        # a slot re-created after idling starts at DOWNLOAD_DELAY: floor it before it sends
        crawler.signals.connect(
            ext.request_reached_downloader, signal=signals.request_reached_downloader
        )
        return ext

    def _slot_key(self, request: Request) -> str:
        assert self.crawler.engine is not None
        return str(self.crawler.engine.downloader.get_slot_key(request))

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if urlsplit(response.url).path != "/robots.txt" or response.status != 200:
            return
        delay = crawl_delay(response.body, self.user_agent)
        if delay is None or delay <= 0:
            return
        if delay > self.max_delay:
            logger.info(
                "%s asks for Crawl-delay %gs; using the cap of %gs",
                response.url,
                delay,
                self.max_delay,
            )
            delay = self.max_delay
        key = self._slot_key(request)
        self.floors[key] = delay
        assert self.crawler.stats is not None
        self.crawler.stats.max_value(STAT_DELAY, int(delay * 1000))
        self._apply(key)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.floors:
            self._apply(self._slot_key(request))

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        if self.floors:
            self._apply(self._slot_key(request))

    def _apply(self, key: str) -> None:
        floor = self.floors.get(key)
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(key)
        if floor is None or slot is None:
            return
        slot.jitter = 0.0  # Scrapy's ±50% would go below the asked-for gap
        if slot.delay < floor:
            slot.delay = floor


def crawl_delay(robots_txt: bytes, user_agent: str) -> float | None:
    """The ``Crawl-delay`` a robots.txt asks of `user_agent` (or of ``*``), in seconds."""
    try:
        parsed = Protego.parse(robots_txt.decode("utf-8", "replace"))
    except Exception:  # a robots.txt so broken Protego gives up: no delay to obey
        return None
    delay = parsed.crawl_delay(user_agent)
    return float(delay) if delay is not None else None


class RedirectDepthMiddleware(DepthMiddleware):
    """Scrapy's DepthMiddleware; a redirect hop (``nv_same_depth``) keeps its origin's depth."""

    def get_processed_request(self, request: Request, response: Response | None) -> Any:
        if response is None or not request.meta.pop(SAME_DEPTH, False):
            return super().get_processed_request(request, response)
        # DepthMiddleware adds one to the response's depth; hand it one less for this hop
        depth = response.meta["depth"]
        response.meta["depth"] = depth - 1
        try:
            return super().get_processed_request(request, response)
        finally:
            response.meta["depth"] = depth
