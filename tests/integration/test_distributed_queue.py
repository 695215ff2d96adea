"""The leased queue on a real Valkey server: leases, expiry, acknowledgement, dedup."""

from __future__ import annotations

import time
import uuid

import pytest
import scrapy
from scrapy.http import Request

from crawler.distributed.config import RunKeys, redis_client
from crawler.distributed.queue import LeasedQueue


class _Spider(scrapy.Spider):
    name = "s"

    def parse(self, response):  # pragma: no cover
        return None


@pytest.fixture
def keys() -> RunKeys:
    return RunKeys("nvtest", uuid.uuid4().hex[:8])


def queue(valkey, keys, worker: str, lease: float = 30.0) -> LeasedQueue:
    return LeasedQueue(redis_client(valkey.url), _Spider(), keys, worker_id=worker, lease=lease)


def test_priority_order_and_dedup_in_one_step(valkey, keys):
    q = queue(valkey, keys, "a")
    assert q.push(Request("https://x.example/low", priority=0), b"fp-low")
    assert q.push(Request("https://x.example/high", priority=30), b"fp-high")
    assert not q.push(Request("https://x.example/high", priority=30), b"fp-high")  # seen
    assert q.push(Request("https://x.example/again", dont_filter=True), None)
    urls = [q.pop()[1].url for _ in range(3)]
    assert urls == ["https://x.example/high", "https://x.example/low", "https://x.example/again"]
    assert q.pop() is None
    assert q.pending() == 3  # leased, not acknowledged


def test_expired_lease_goes_to_another_worker_and_ack_ends_it(valkey, keys):
    a, b = queue(valkey, keys, "a", lease=0.3), queue(valkey, keys, "b", lease=0.3)
    a.push(Request("https://x.example/1"), b"fp1")
    lease_a, _request = a.pop()
    assert b.pop() is None  # leased to a
    time.sleep(0.4)  # a died: no renewal
    lease_b, request = b.pop()
    assert request.url == "https://x.example/1" and b.requeued == 1
    assert a.renew([lease_a]) == [lease_a]  # a learns it lost the lease
    b.ack([lease_b])
    assert b.pending() == 0
    time.sleep(0.4)
    assert a.pop() is None  # an acknowledged request never comes back


def test_renewed_lease_is_kept_and_release_requeues_at_once(valkey, keys):
    a, b = queue(valkey, keys, "a", lease=0.3), queue(valkey, keys, "b", lease=0.3)
    a.push(Request("https://x.example/1"), b"fp1")
    lease, _ = a.pop()
    for _ in range(3):
        time.sleep(0.15)
        assert a.renew([lease]) == []
    assert b.pop() is None
    assert a.release([lease]) == 1
    assert b.pop()[1].url == "https://x.example/1"


def test_lease_requeued_during_an_outage_is_taken_back_by_its_holder(valkey, keys):
    a, b = queue(valkey, keys, "a", lease=0.2), queue(valkey, keys, "b", lease=0.2)
    a.push(Request("https://x.example/1"), b"fp1")
    lease, _ = a.pop()
    a.push(Request("https://x.example/2", priority=10), b"fp2")
    time.sleep(0.3)
    assert b.pop()[1].url == "https://x.example/2"  # b's pop put a's request back first
    assert a.renew([lease]) == []  # still queued: a takes it back, nobody fetches it twice
    assert b.pop() is None
