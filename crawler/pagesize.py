"""Cut a response at max_page_mb instead of dropping it, so the archive keeps what was sent."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import StopDownload

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: request.meta key: why the body is incomplete, as a WARC-Truncated value
TRUNCATED_META = "nv_truncated"
#: request.meta key: the download_maxsize to restore after the download
MAXSIZE_META = "_nv_maxsize"
STAT_TRUNCATED = "newsvault/download/truncated_length"


class PageSizeLimit:
    """Stop a download at ``ARCHIVE_MAX_PAGE_BYTES`` and keep the bytes received so far.

    Scrapy's own DOWNLOAD_MAXSIZE cancels an oversized download and leaves nothing; an
    archivist expects the first max_page_mb of it, recorded with ``WARC-Truncated:
    length`` (what Heritrix and wget do). The cut response goes on as a normal response
    flagged ``download_stopped``; the WARC writer trims it to the limit exactly.
    """

    def __init__(self, limit: int, stats: Any = None) -> None:
        self.limit = limit
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageSizeLimit:
        from scrapy.exceptions import NotConfigured

        limit = crawler.settings.getint("ARCHIVE_MAX_PAGE_BYTES")
        if limit <= 0:
            raise NotConfigured("ARCHIVE_MAX_PAGE_BYTES is 0")
        ext = cls(limit, crawler.stats)
        crawler.signals.connect(ext.headers_received, signal=signals.headers_received)
        crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        return ext

    def headers_received(
        self, headers: Any, body_length: int, request: Request, spider: Any
    ) -> None:
        request.meta["_nv_bytes"] = 0
        request.meta.pop(TRUNCATED_META, None)  # from a redirect or retry of this request
        # Scrapy would cancel (before reading a byte, if Content-Length is too big) and
        # keep nothing; this extension cuts instead. HttpCompressionMiddleware, which
        # reads the same key for its decompression limit, gets it back from
        # EncodedBodyMiddleware.
        if MAXSIZE_META not in request.meta:
            request.meta[MAXSIZE_META] = request.meta.get("download_maxsize")
        request.meta["download_maxsize"] = 0

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        received = request.meta.get("_nv_bytes", 0) + len(data)
        request.meta["_nv_bytes"] = received
        if received >= self.limit:
            request.meta[TRUNCATED_META] = "length"
            if self.stats is not None:
                self.stats.inc_value(STAT_TRUNCATED)
            logger.warning(
                "Cut %s at %d bytes (crawl.max_page_mb); archived with WARC-Truncated: length",
                request.url,
                self.limit,
            )
            raise StopDownload(fail=False)


def restore_maxsize(request: Request) -> None:
    """Give ``download_maxsize`` back to the middlewares after the download (see above)."""
    if MAXSIZE_META in request.meta:
        previous = request.meta.pop(MAXSIZE_META)
        if previous is None:
            request.meta.pop("download_maxsize", None)
        else:
            request.meta["download_maxsize"] = previous
