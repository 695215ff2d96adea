"""The run's dupefilter: one Redis set of 16-byte request fingerprints per run, with an expiry.

scrapy-redis keeps one set per spider name for ever (its issue #144: memory without
limit). Here each run has its own set: it expires ``ARCHIVE_REDIS_RUN_TTL`` seconds after
the last worker's heartbeat and is deleted when the run ends, so Redis holds the
fingerprints of the runs in progress only. Fingerprints are exact (no Bloom filter:
a false positive would silently drop an article) and short: the first 16 bytes of
Scrapy's request fingerprint (a collision among 10^9 URLs has odds below 10^-20).
Known URLs across runs live in the archive's state index, not here.
"""

from __future__ import annotations

from typing import Any

from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.distributed.config import DistributedConfig, redis_client

FINGERPRINT_BYTES = 16


class RunDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """Per-run fingerprints in Redis. The scheduler tests and pushes in one step."""

    def __init__(self, server: Any, key: str, fingerprinter: Any, debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunDupeFilter:
        config = DistributedConfig.from_settings(crawler.settings)
        return cls(
            redis_client(config.redis_url),
            config.keys.seen,
            crawler.request_fingerprinter,
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )

    def request_fingerprint(self, request: Any) -> bytes:
        fingerprint: bytes = self.fingerprinter.fingerprint(request)
        return fingerprint[:FINGERPRINT_BYTES]

    def request_seen(self, request: Any) -> bool:
        return int(self.server.sadd(self.key, self.request_fingerprint(request))) == 0

    def close(self, reason: str = "") -> None:
        """Keep the set: other workers still use it. The run's end deletes it."""
