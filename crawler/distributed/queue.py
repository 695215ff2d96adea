"""A shared priority queue whose pops are leases: nothing a dead worker held is lost.

scrapy-redis's ``PriorityQueue`` removes a request when a worker pops it; if that worker
dies, the request is gone. Here a pop moves the request id into a lease set with an
expiry; the worker renews its leases while it works and acknowledges each request
when its callback (or errback) is done. Any pop first puts expired leases back in the
queue, so another worker fetches what a killed one held. Every step is one Lua script,
atomic on the server: a reply lost to a network failure can be retried safely.

The dupefilter test and the push are one script too, so a request is never marked seen
without being queued (a worker dying between the two would otherwise lose it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from scrapy_redis.queue import Base

from crawler.distributed import serializer
from crawler.distributed.config import RunKeys

# KEYS: seen, queue, requests, scores, seq. ARGV: fingerprint ('' = no check), score, payload.
_PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
local id = string.format('%012d', redis.call('INCR', KEYS[5]))
redis.call('ZADD', KEYS[2], ARGV[2], id)
redis.call('HSET', KEYS[3], id, ARGV[3])
redis.call('HSET', KEYS[4], id, ARGV[2])
return 1
"""

# KEYS: queue, leases, requests, scores, owners. ARGV: now ms, lease ms, worker.
# Returns {id, payload, requeued} or {false, false, requeued}.
_POP = """
local requeued = 0
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[5], id)
  local score = redis.call('HGET', KEYS[4], id)
  if score then
    redis.call('ZADD', KEYS[1], score, id)
    requeued = requeued + 1
  end
end
while true do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then
    return {false, false, requeued}
  end
  local id = popped[1]
  local payload = redis.call('HGET', KEYS[3], id)
  if payload then
    redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
    redis.call('HSET', KEYS[5], id, ARGV[3])
    return {id, payload, requeued}
  end
end
"""

# KEYS: queue, leases, owners. ARGV: now ms, lease ms, worker, ids...
# Renews this worker's leases; takes back ids re-queued while it could not renew them
# (a Redis outage longer than the lease). Returns the ids it no longer holds.
_RENEW = """
local lost = {}
local expiry = tonumber(ARGV[1]) + tonumber(ARGV[2])
for i = 4, #ARGV do
  local id = ARGV[i]
  local owner = redis.call('HGET', KEYS[3], id)
  if owner == ARGV[3] and redis.call('ZSCORE', KEYS[2], id) then
    redis.call('ZADD', KEYS[2], expiry, id)
  elseif not owner and redis.call('ZREM', KEYS[1], id) == 1 then
    redis.call('ZADD', KEYS[2], expiry, id)
    redis.call('HSET', KEYS[3], id, ARGV[3])
  else
    table.insert(lost, id)
  end
end
return lost
"""

# KEYS: leases, requests, scores, owners. ARGV: ids...
_ACK = """
for i = 1, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[4], ARGV[i])
end
return #ARGV
"""

# KEYS: queue, leases, scores, owners. ARGV: worker, ids... Back to the queue at once.
_RELEASE = """
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[4], id) == ARGV[1] and redis.call('ZREM', KEYS[2], id) == 1 then
    redis.call('HDEL', KEYS[4], id)
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], id) or 0, id)
    n = n + 1
  end
end
return n
"""


def _now_ms() -> int:
    return int(time.time() * 1000)


class LeasedQueue(Base):  # type: ignore[misc]
    """scrapy-redis queue with leases and acknowledgements, JSON-serialised."""

    def __init__(
        self,
        server: Any,
        spider: Any,
        keys: RunKeys,
        *,
        worker_id: str,
        lease: float,
    ) -> None:
        super().__init__(server, spider, keys.queue, serializer=serializer)
        self.keys = keys
        self.worker_id = worker_id
        self.lease_ms = int(lease * 1000)
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._renew = server.register_script(_RENEW)
        self._ack = server.register_script(_ACK)
        self._release = server.register_script(_RELEASE)
        self.requeued = 0  # expired leases this worker put back in the queue

    def __len__(self) -> int:
        """Requests waiting in the queue (not counting leased ones)."""
        return int(self.server.zcard(self.keys.queue))

    def pending(self) -> int:
        """Requests queued or leased by any worker: the run is not over while > 0."""
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(self.keys.queue)
        pipe.zcard(self.keys.leases)
        queued, leased = pipe.execute()
        return int(queued) + int(leased)

    def push(self, request: Any, fingerprint: bytes | None = None) -> bool:
        """Queue ``request`` unless ``fingerprint`` was seen this run; False if it was."""
        k = self.keys
        added = self._push(
            keys=[k.seen, k.queue, k.requests, k.scores, k.seq],
            args=[fingerprint or b"", -request.priority, self._encode_request(request)],
        )
        return bool(added)

    def pop(self, timeout: float = 0) -> tuple[str, Any] | None:
        """Lease the next request: ``(lease id, request)``, or None if the queue is empty."""
        k = self.keys
        lease_id, payload, requeued = self._pop(
            keys=[k.queue, k.leases, k.requests, k.scores, k.owners],
            args=[_now_ms(), self.lease_ms, self.worker_id],
        )
        self.requeued += int(requeued)
        if not lease_id:
            return None
        return _text(lease_id), self._decode_request(payload)

    def renew(self, lease_ids: Iterable[str]) -> list[str]:
        """Extend this worker's leases; returns the ids another worker took meanwhile."""
        ids = list(lease_ids)
        if not ids:
            return []
        k = self.keys
        lost = self._renew(
            keys=[k.queue, k.leases, k.owners],
            args=[_now_ms(), self.lease_ms, self.worker_id, *ids],
        )
        return [_text(i) for i in lost]

    def ack(self, lease_ids: Iterable[str]) -> None:
        """Forget finished requests."""
        ids = list(lease_ids)
        if ids:
            k = self.keys
            self._ack(keys=[k.leases, k.requests, k.scores, k.owners], args=ids)

    def release(self, lease_ids: Iterable[str]) -> int:
        """Put requests this worker will not finish back in the queue (a clean shutdown)."""
        ids = list(lease_ids)
        if not ids:
            return 0
        k = self.keys
        return int(
            self._release(keys=[k.queue, k.leases, k.scores, k.owners], args=[self.worker_id, *ids])
        )

    def clear(self) -> None:
        self.server.delete(*self.keys.all())


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
