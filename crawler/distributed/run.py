"""Joining a distributed run: one run id for every worker, a unique worker id for each.

Workers started without ``ARCHIVE_RUN_ID`` join the run recorded in Redis as current
(``PREFIX:current-run``), or start one; the run stops being current when its last
request is done, so the next start of the workers is the next run. A worker id names
the worker's files and manifest: ``ARCHIVE_WORKER_ID`` (for example the systemd
instance, ``%H-%i``), or the first free ``HOST-N``. An id held by a live worker of the
run is refused, so two workers never write the same file names. Joining again from the
same process (the launcher's pre-flight joins, then the add-on) keeps the same ids.
"""

from __future__ import annotations

import os
import re
import socket
from typing import Any

from crawler.distributed.config import DistributedConfig, RunKeys, redacted, redis_client

MAX_WORKERS_PER_HOST = 256
_WORKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class JoinError(RuntimeError):
    """The worker cannot join the run, as one sentence with the fix."""


def holder() -> str:
    """What a worker writes into its ``alive:WORKER`` key: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(server: Any, key: str, ttl_ms: int) -> bool:
    """Take ``key`` for this process, or find it already ours."""
    me = holder()
    if server.set(key, me, nx=True, px=ttl_ms):
        return True
    held = server.get(key)
    return held is not None and held.decode("utf-8", "replace") == me


def _claim_ttl_ms(config: DistributedConfig) -> int:
    # Until the scheduler's heartbeat takes over (after the spider opens).
    return int(max(config.lease, 30.0) * 1000)


def join_run(config: DistributedConfig, proposed_run_id: str) -> tuple[str, str]:
    """``(run id, worker id)`` for this worker; ``config.run_id`` set means given by the operator."""
    import redis

    server = redis_client(config.redis_url)
    try:
        run_id = config.run_id
        if not run_id:
            current = RunKeys(config.prefix, "").current
            server.set(current, proposed_run_id, nx=True, ex=config.run_ttl)
            run_id = (server.get(current) or proposed_run_id.encode()).decode()
        keys = RunKeys(config.prefix, run_id)
        worker_id = _claim_worker(server, keys, config)
        server.sadd(keys.workers, worker_id)
        server.expire(keys.workers, config.run_ttl)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise JoinError(
            f"crawl.redis_url: cannot reach {redacted(config.redis_url)} ({exc}); "
            "start Redis/Valkey there or fix the URL"
        ) from None
    except redis.exceptions.ResponseError as exc:
        raise JoinError(f"crawl.redis_url: {redacted(config.redis_url)} refused ({exc})") from None
    finally:
        server.close()
    return run_id, worker_id


def _claim_worker(server: Any, keys: RunKeys, config: DistributedConfig) -> str:
    ttl = _claim_ttl_ms(config)
    if config.worker_id:
        if not _WORKER_ID.match(config.worker_id):
            raise JoinError(
                f"ARCHIVE_WORKER_ID: {config.worker_id!r} must be 1-64 letters, digits, "
                "'.', '_' or '-'"
            )
        if not _claim(server, keys.alive(config.worker_id), ttl):
            raise JoinError(
                f"ARCHIVE_WORKER_ID: worker {config.worker_id!r} is running in run "
                f"{keys.run_id} already (or stopped less than {ttl // 1000}s ago); "
                "give each worker its own id"
            )
        return config.worker_id
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname().split(".")[0]) or "worker"
    for n in range(1, MAX_WORKERS_PER_HOST + 1):
        worker_id = f"{host}-{n}"
        if _claim(server, keys.alive(worker_id), ttl):
            return worker_id
    raise JoinError(
        f"more than {MAX_WORKERS_PER_HOST} workers of run {keys.run_id} on {host}; "
        "set ARCHIVE_WORKER_ID"
    )


def check_redis(url: str) -> str | None:
    """Why the Redis server at ``url`` cannot be used, or None (pre-flight check)."""
    import redis

    server = redis_client(url)
    try:
        server.ping()
        server.eval("return 1", 0)  # leases need Lua scripting
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        return (
            f"crawl.redis_url: cannot reach {redacted(url)} ({exc}); "
            "start Redis/Valkey there or fix the URL"
        )
    except redis.exceptions.ResponseError as exc:
        return f"crawl.redis_url: {redacted(url)} refused a command ({exc}); Valkey or Redis >= 5 with Lua scripting is needed"
    finally:
        server.close()
    return None
