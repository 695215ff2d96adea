"""The distributed mode's settings, Redis key names and client, read once per crawl."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.config import settings_value

#: How long a worker waits for one Redis reply: a reply slower than this is an outage.
SOCKET_TIMEOUT = 5.0
CONNECT_TIMEOUT = 2.0


@dataclass(frozen=True)
class DistributedConfig:
    """Everything the distributed components read from the settings."""

    redis_url: str
    run_id: str
    worker_id: str
    prefix: str = "newsvault"
    lease: float = 60.0
    run_ttl: int = 7 * 24 * 3600
    backoff_max: float = 30.0

    @classmethod
    def from_settings(cls, settings: Any) -> DistributedConfig:
        return cls(
            redis_url=str(settings.get("ARCHIVE_REDIS_URL") or ""),
            run_id=str(settings.get("ARCHIVE_RUN_ID") or ""),
            worker_id=str(settings.get("ARCHIVE_WORKER_ID") or ""),
            prefix=str(settings_value(settings, "ARCHIVE_REDIS_PREFIX")),
            lease=float(settings_value(settings, "ARCHIVE_REDIS_LEASE")),
            run_ttl=int(settings_value(settings, "ARCHIVE_REDIS_RUN_TTL")),
            backoff_max=float(settings_value(settings, "ARCHIVE_REDIS_BACKOFF_MAX")),
        )

    @property
    def keys(self) -> RunKeys:
        return RunKeys(self.prefix, self.run_id)


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one run. Every key of a run starts with ``PREFIX:run:RUN_ID:``."""

    prefix: str
    run_id: str

    @property
    def current(self) -> str:
        """The run that workers started without ``ARCHIVE_RUN_ID`` join (not per run)."""
        return f"{self.prefix}:current-run"

    def _k(self, name: str) -> str:
        return f"{self.prefix}:run:{self.run_id}:{name}"

    @property
    def queue(self) -> str:
        return self._k("queue")  # zset: request id -> -priority

    @property
    def requests(self) -> str:
        return self._k("requests")  # hash: request id -> JSON request

    @property
    def scores(self) -> str:
        return self._k("scores")  # hash: request id -> queue score (to re-queue a lease)

    @property
    def leases(self) -> str:
        return self._k("leases")  # zset: request id -> lease expiry (ms since the epoch)

    @property
    def owners(self) -> str:
        return self._k("owners")  # hash: request id -> worker id holding the lease

    @property
    def seq(self) -> str:
        return self._k("seq")  # counter: request ids, FIFO within one priority

    @property
    def seen(self) -> str:
        return self._k("seen")  # set: request fingerprints (the dupefilter)

    @property
    def articles(self) -> str:
        return self._k("articles")  # set: canonical URLs that became an article this run

    @property
    def seeded(self) -> str:
        return self._k("seeded")  # "1" once the start requests are in the queue

    @property
    def workers(self) -> str:
        return self._k("workers")  # set: every worker id that joined

    def alive(self, worker_id: str) -> str:
        return self._k(f"alive:{worker_id}")  # expires when the worker stops beating

    def all(self) -> list[str]:
        """The keys that hold the run's data (given an expiry, deleted at its end)."""
        return [
            self.queue,
            self.requests,
            self.scores,
            self.leases,
            self.owners,
            self.seq,
            self.seen,
            self.articles,
            self.seeded,
            self.workers,
        ]


def redis_client(url: str) -> Any:
    """A client that fails fast: a dead server is an outage to wait out, not a hang.

    Calls run on the reactor thread, so no client-side retries with sleeps: the
    scheduler backs off without blocking the crawl.
    """
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )


def redacted(url: str) -> str:
    """``url`` without a password, for logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))


#: Prefix of the distributed crawl's stats.
STAT = "newsvault/distributed"


def redis_errors() -> tuple[type[Exception], ...]:
    """The Redis errors that mean the server is unreachable (redis is imported on use)."""
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
