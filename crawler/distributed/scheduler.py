"""The distributed scheduler: scrapy-redis's, with leases, acknowledgements and outage back-off.

A request popped from Redis is leased to this worker. Its callback and errback are
wrapped so that the lease is acknowledged once the callback's output (new requests,
items) has been handed on; a downloader middleware that replaces the request (retry,
redirect) hands the lease on with it. A heartbeat renews the leases this worker holds.

Redis may go away at any moment (a restart, a network cut). Nothing is lost then:
requests the crawl produces wait in a local outbox, acknowledgements in another; the
scheduler reports pending work (so the crawl does not end), logs once that it pauses,
and retries with exponential back-off until Redis answers again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from crawler.distributed.config import (
    STAT,
    DistributedConfig,
    redacted,
    redis_client,
    redis_errors,
)
from crawler.distributed.dupefilter import RunDupeFilter
from crawler.distributed.queue import LeasedQueue
from crawler.distributed.run import holder

logger = logging.getLogger(__name__)

#: Finished leases are acknowledged with the next Redis call, or at this many.
ACK_BATCH = 64
#: The run's keys get a short expiry once the run is over (kept a while for a look).
FINISHED_TTL = 3600

# KEYS: queue, leases, seeded, current, run keys... ARGV: run id, ttl.
# The run is over when it was seeded and nothing is queued or leased: forget it as the
# current run (new workers start a new one) and let its keys expire soon.
_FINISH = """
if redis.call('GET', KEYS[3]) ~= '1' or redis.call('ZCARD', KEYS[1]) > 0
   or redis.call('ZCARD', KEYS[2]) > 0 then
  return 0
end
if redis.call('GET', KEYS[4]) == ARGV[1] then
  redis.call('DEL', KEYS[4])
end
for i = 5, #KEYS do
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 1
"""


class DistributedScheduler(RedisScheduler):  # type: ignore[misc]
    """One frontier for every worker of a run; see the module docstring."""

    def __init__(self, crawler: Any, config: DistributedConfig, server: Any) -> None:
        super().__init__(
            server,
            persist=True,  # other workers share the queue: never flush it at close
            queue_key=config.keys.queue,
            dupefilter=RunDupeFilter.from_crawler(crawler),
        )
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.queue: LeasedQueue | None = None
        self._outbox: list[Any] = []  # requests not yet in Redis
        self._acks: list[str] = []  # finished leases not yet acknowledged
        self._held: set[str] = set()  # leases this worker holds and has not finished
        self._dropped: set[Any] = set()  # requests the dupefilter refused since the last enqueue
        self._errors = redis_errors()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._backoff = 0.0
        self._heartbeat: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedScheduler:
        config = DistributedConfig.from_settings(crawler.settings)
        if not config.redis_url or not config.run_id:
            raise ValueError(
                "DistributedScheduler needs ARCHIVE_REDIS_URL (crawl.redis_url) and a run id; "
                "enable the newsvault add-on"
            )
        return cls(crawler, config, redis_client(config.redis_url))

    # -- lifecycle ---------------------------------------------------------------

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = LeasedQueue(
            self.server,
            spider,
            self.config.keys,
            worker_id=self.config.worker_id,
            lease=self.config.lease,
        )
        self._heartbeat = LoopingCall(self.beat)
        self._heartbeat.start(max(self.config.lease / 4, 0.2), now=True)
        logger.info(
            "Distributed run %s on %s: worker %s (lease %.0fs)",
            self.config.run_id,
            redacted(self.config.redis_url),
            self.config.worker_id,
            self.config.lease,
        )

    def close(self, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        self._flush()
        if self._held:
            # Shut down before finishing them (Ctrl-C, a page cap): back to the queue now,
            # rather than after the lease expires.
            try:
                released = self._q.release(self._held)
                logger.info("Put %d unfinished request(s) back in the shared queue", released)
                self._held.clear()
            except self._errors as exc:
                logger.warning(
                    "Redis unreachable at close (%s): %d leased request(s) return to the "
                    "queue when their lease expires",
                    exc,
                    len(self._held),
                )
        if reason == "finished" and not self._outbox:
            self._finish_run()
        if self._outbox:
            logger.error(
                "Redis unreachable at close: %d discovered request(s) could not be queued",
                len(self._outbox),
            )
            self._stat("unqueued", len(self._outbox))

    def _finish_run(self) -> None:
        k = self.config.keys
        try:
            over = self.server.eval(
                _FINISH,
                4 + len(k.all()),
                k.queue,
                k.leases,
                k.seeded,
                k.current,
                *k.all(),
                self.config.run_id,
                FINISHED_TTL,
            )
        except self._errors as exc:
            logger.warning("Redis unreachable at close (%s); the run's keys expire later", exc)
            return
        if over:
            logger.info("Distributed run %s is complete", self.config.run_id)

    @property
    def _q(self) -> LeasedQueue:
        if self.queue is None:
            raise RuntimeError("the scheduler is not open")
        return self.queue

    # -- Redis availability ------------------------------------------------------

    def _available(self) -> bool:
        return self._down_since is None or time.monotonic() >= self._retry_at

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._backoff = min(max(self._backoff * 2, 1.0), self.config.backoff_max)
        self._retry_at = now + self._backoff
        if self._down_since is None:
            self._down_since = now
            self._stat("outages")
            logger.warning(
                "Redis at %s is unreachable (%s): pausing this worker, retrying with "
                "back-off up to %.0fs; nothing fetched is lost",
                redacted(self.config.redis_url),
                exc,
                self.config.backoff_max,
            )
        else:
            logger.info(
                "Redis still unreachable after %.0fs; next try in %.0fs",
                now - self._down_since,
                self._backoff,
            )

    def _recovered(self) -> None:
        if self._down_since is not None:
            logger.warning(
                "Redis at %s answers again after %.1fs: resuming",
                redacted(self.config.redis_url),
                time.monotonic() - self._down_since,
            )
            self._down_since = None
            self._backoff = 0.0

    def _flush(self) -> bool:
        """Send queued pushes, then acknowledgements; False if Redis is unreachable."""
        if not self._available():
            return False
        try:
            while self._outbox:
                request = self._outbox[0]
                self._push(request)
                self._outbox.pop(0)
            if self._acks:
                self._q.ack(self._acks)
                self._stat("acked", len(self._acks))
                self._acks.clear()
        except self._errors as exc:
            self._failed(exc)
            return False
        self._recovered()
        return True

    def beat(self) -> None:
        """Heartbeat: flush, renew leases, keep this worker and the run's keys alive."""
        if not self._flush():
            return
        k = self.config.keys
        try:
            lost = self._q.renew(self._held)
            pipe = self.server.pipeline(transaction=False)
            pipe.set(k.alive(self.config.worker_id), holder(), px=int(self.config.lease * 1000))
            for key in k.all():
                pipe.expire(key, self.config.run_ttl)
            pipe.execute()
        except self._errors as exc:
            self._failed(exc)
            return
        if lost:
            # Only after an outage longer than the lease: another worker fetches them too.
            logger.warning("%d leased request(s) were taken over by another worker", len(lost))
            self._held.difference_update(lost)
            self._stat("leases_lost", len(lost))
        if self._q.requeued:
            self._stat("leases_requeued", self._q.requeued)
            logger.info("Put %d request(s) of stopped workers back in the queue", self._q.requeued)
            self._q.requeued = 0

    # -- the scheduler interface --------------------------------------------------

    def has_pending_requests(self) -> bool:
        if not self._flush():
            return True  # Redis away: not the end of the run
        try:
            pending = self._q.pending()
        except self._errors as exc:
            self._failed(exc)
            return True
        self._recovered()
        return pending > 0

    def __len__(self) -> int:
        return len(self._q)

    def enqueue_request(self, request: Any) -> bool:
        predecessor = _unwrap(request)
        if predecessor is not None:
            # A retry or redirect of a leased request: the new entry carries the work on.
            self._done(predecessor)
        self._outbox.append(request)
        if not self._flush():
            return True  # queued locally; sent when Redis is back
        dropped = request in self._dropped
        self._dropped.clear()
        return not dropped

    def _push(self, request: Any) -> None:
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        if self._q.push(request, fingerprint):
            self._stat("pushed")
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
            self._stat("duplicates")
            self._dropped.add(request)

    def next_request(self) -> Any:
        if not self._flush():
            return None
        try:
            popped = self._q.pop()
        except self._errors as exc:
            self._failed(exc)
            return None
        if popped is None:
            return None
        lease_id, request = popped
        self._held.add(lease_id)
        _wrap(request, lease_id, self._done, self.spider)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _done(self, lease_id: str) -> None:
        if lease_id not in self._held:
            return
        self._held.discard(lease_id)
        self._acks.append(lease_id)
        if len(self._acks) >= ACK_BATCH:
            self._flush()  # otherwise at the next pop, idle check or heartbeat

    def _stat(self, name: str, count: int = 1) -> None:
        if self.stats:
            self.stats.inc_value(f"{STAT}/{name}", count)


# --------------------------------------------------------------------------- leases on requests

_LEASE = "_newsvault_lease"


def _wrap(request: Any, lease_id: str, done: Callable[[str], None], spider: Any) -> None:
    """Acknowledge ``lease_id`` once the request's callback or errback output is consumed."""
    callback = request.callback or spider.parse
    request.callback = _acking(callback, lease_id, done)
    if request.errback is not None:
        request.errback = _acking(request.errback, lease_id, done)
    else:
        request.errback = _acking(_reraise, lease_id, done)


def _unwrap(request: Any) -> str | None:
    """Restore the spider's own callbacks; the lease id of the request this one replaces."""
    lease_id = None
    for attr in ("callback", "errback"):
        func = getattr(request, attr)
        inner = getattr(func, _LEASE, None)
        if inner is not None:
            lease_id, original = inner
            setattr(request, attr, None if original is _reraise else original)
    return lease_id


def _reraise(failure: Any) -> Any:
    failure.raiseException()  # what Scrapy does for a request without an errback


def _acking(func: Callable[..., Any], lease_id: str, done: Callable[[str], None]) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            output = func(*args, **kwargs)
        except BaseException:
            done(lease_id)
            raise
        return _track(output, lease_id, done)

    call.__name__ = getattr(func, "__name__", "callback")
    setattr(call, _LEASE, (lease_id, func))
    return call


def _track(output: Any, lease_id: str, done: Callable[[str], None]) -> Any:
    if isinstance(output, AsyncIterator):
        return _track_async(output, lease_id, done)
    if isinstance(output, Iterable) and not isinstance(output, (str, bytes, dict)):
        return _track_sync(output, lease_id, done)
    done(lease_id)
    return output


def _track_sync(output: Iterable[Any], lease_id: str, done: Callable[[str], None]) -> Any:
    try:
        yield from output
    finally:
        done(lease_id)


async def _track_async(
    output: AsyncIterator[Any], lease_id: str, done: Callable[[str], None]
) -> AsyncIterator[Any]:
    try:
        async for item in output:
            yield item
    finally:
        done(lease_id)
