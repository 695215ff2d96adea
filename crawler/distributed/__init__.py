"""Distributed crawls: several workers share one frontier in Redis or Valkey (scrapy-redis).

Switched on by ``crawl.redis_url`` (``ARCHIVE_REDIS_URL``); the add-on then sets
``SCHEDULER`` and ``DUPEFILTER_CLASS`` to the classes here and joins the worker to the
run (``crawler.distributed.run``). What scrapy-redis 0.9.1 lacks is covered here:

- ``queue``: a priority queue whose pops are leases, renewed by a heartbeat and
  acknowledged when the request is done; a dead worker's leases go back to the queue.
- ``serializer``: requests as JSON, never pickle.
- ``dupefilter``: per-run fingerprint sets with an expiry, deleted when the run ends.
- ``scheduler``: the scrapy-redis scheduler with leases, an outbox that survives a Redis
  outage, and back-off while Redis is away.
- ``seeding``: start URLs, feeds and sitemaps go into the queue once per run.
"""

from __future__ import annotations

from crawler.distributed.config import DistributedConfig, RunKeys, redis_client

__all__ = ["DistributedConfig", "RunKeys", "redis_client"]
