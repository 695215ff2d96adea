"""Distributed crawls on a real Valkey server: two workers, one frontier, one archive."""

from __future__ import annotations

import collections
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.distributed.config import RunKeys
from tests.integration.test_crawl import ROOT, SOURCE
from tests.sample_site import SampleSite
from tests.services import Valkey


def write_config(workdir: Path, site_url: str, redis_url: str) -> Path:
    """One config for every worker of a run: shared stores and Redis."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "distributed.yaml"
    config.write_text(
        f"""
storage:
  warc: {workdir}/archive/warc
  json: {workdir}/archive/json
  state: {workdir}/archive/state
  manifests: {workdir}/archive/manifests
crawl:
  download_delay: 0
  autothrottle: false
  concurrency_per_domain: 8
  allow_private_networks: true
  redis_url: {redis_url}
sources:
  - name: {SOURCE}
    start_urls: ["{site_url}/"]
"""
    )
    return config


def start_worker(
    config: Path, name: str, settings: dict[str, Any] | None = None
) -> subprocess.Popen[str]:
    """`scrapy crawl news` as one worker, with a spool of its own."""
    overrides = {
        "ARCHIVE_STORAGE_SPOOL": str(config.parent / f"spool-{name}"),
        "ARCHIVE_WORKER_ID": name,
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "news"]
    for key, value in overrides.items():
        command += ["-s", f"{key}={value}"]
    log = open(config.parent / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "NEWSVAULT_CONFIG": str(config)},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc: subprocess.Popen[str], config: Path, name: str, timeout: float = 180) -> str:
    try:
        proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return (config.parent / f"{name}.log").read_text()


def fetch_counts(site: SampleSite) -> collections.Counter[str]:
    """Fetches per path, robots.txt aside (each worker reads it for its own politeness)."""
    return collections.Counter(
        path for _method, path, _headers in site.requests if path != "/robots.txt"
    )


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def stat(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


#: Slow enough that the second worker (which looks for work every 5 s while idle) joins in,
#: and a worker leases no more requests than it downloads at once (no hoarding).
SLOW = {"DOWNLOAD_DELAY": 0.3, "DOWNLOAD_DELAY_JITTER": 0, "CONCURRENT_REQUESTS": 3}


def test_two_workers_fetch_each_url_exactly_once(site, valkey, tmp_path):
    config = write_config(tmp_path, site.url, valkey.url)
    workers = {name: start_worker(config, name, SLOW) for name in ("w1", "w2")}
    logs = {name: finish(proc, config, name) for name, proc in workers.items()}
    for name, proc in workers.items():
        assert proc.returncode == 0, logs[name][-3000:]
    counts = fetch_counts(site)
    assert {p: n for p, n in counts.items() if n != 1} == {}
    assert counts["/"] == 1  # the start URL, given to both workers, was queued once
    expected = {a["canonical_path"] for a in site.expected()["articles"]}
    assert expected <= set(counts)
    # Both fetched, from one run (joined through Redis, no run id given).
    dequeued = [stat(log, "scheduler/dequeued/redis") for log in logs.values()]
    assert all(n > 0 for n in dequeued), dequeued
    pushed = sum(stat(log, "newsvault/distributed/pushed") for log in logs.values())
    assert sum(dequeued) == pushed  # each queued request was handed out once
    run_ids = {re.search(r"Distributed run (\S+) on", log).group(1) for log in logs.values()}
    assert len(run_ids) == 1
    (run_id,) = run_ids

    # One archive: each worker's own files (worker id in the name) and manifest, one run id.
    archive = tmp_path / "archive"
    warcs = sorted(p.name for p in archive.glob("warc/**/*.warc.gz"))
    assert any("-w1~" in n for n in warcs) and any("-w2~" in n for n in warcs), warcs
    manifests = sorted(p.name for p in (archive / "manifests").glob("*.json"))
    assert manifests == [f"{run_id}~w1.json", f"{run_id}~w2.json"]
    articles = [
        json.loads(line)
        for path in archive.glob("json/**/*.jsonl.gz")
        for line in gzip.decompress(path.read_bytes()).decode().splitlines()
    ]
    assert sorted(a["canonical_url"] for a in articles) == sorted(site.url + p for p in expected)
    assert {a["provenance"]["run_id"] for a in articles} == {run_id}
    verify = subprocess.run(
        [str(Path(sys.executable).parent / "newsvault"), "verify", str(archive / "manifests")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "checked 2 manifest(s)" in verify.stdout

    # The next run (new run id, joined through Redis) skips what either worker archived.
    site.clear_requests()
    workers = {name: start_worker(config, name) for name in ("w1", "w2")}
    logs = {name: finish(proc, config, name) for name, proc in workers.items()}
    assert all(proc.returncode == 0 for proc in workers.values())
    assert sum(stat(log, f"newsvault/source/{SOURCE}/articles") for log in logs.values()) == 0
    skipped = sum(stat(log, f"newsvault/source/{SOURCE}/skipped_known") for log in logs.values())
    assert skipped > 0
    assert not expected & set(fetch_counts(site))


def test_killed_worker_loses_nothing(site, valkey, tmp_path):
    config = write_config(tmp_path, site.url, valkey.url)
    settings = {**SLOW, "ARCHIVE_REDIS_LEASE": 3}
    doomed = start_worker(config, "doomed", settings)
    deadline = time.monotonic() + 60
    while len(fetch_counts(site)) < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    survivor = start_worker(config, "survivor", settings)  # joins the run in Redis
    while len(fetch_counts(site)) < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    doomed.send_signal(signal.SIGKILL)  # leases held, nothing acknowledged or shut down
    doomed.wait(10)
    log = finish(survivor, config, "survivor")
    assert survivor.returncode == 0, log[-3000:]
    assert stat(log, "newsvault/distributed/leases_requeued") > 0, log[-3000:]
    counts = fetch_counts(site)
    expected = {a["canonical_path"] for a in site.expected()["articles"]}
    missing = expected - set(counts)
    assert not missing


def test_redis_restart_mid_crawl_pauses_the_worker_and_loses_nothing(site, tmp_path):
    with Valkey(tmp_path / "valkey") as server:  # our own: this test crashes it
        config = write_config(tmp_path, site.url, server.url)
        worker = start_worker(config, "w1", SLOW)
        deadline = time.monotonic() + 60
        while len(fetch_counts(site)) < 8 and time.monotonic() < deadline:
            time.sleep(0.1)
        server.kill()
        time.sleep(3)  # the worker notices while its downloads finish
        server.start()
        log = finish(worker, config, "w1")
    assert worker.returncode == 0, log[-3000:]
    assert "is unreachable" in log and "pausing this worker" in log
    assert "answers again" in log
    assert stat(log, "newsvault/distributed/outages") >= 1
    counts = fetch_counts(site)
    assert {p: n for p, n in counts.items() if n != 1} == {}
    expected = {a["canonical_path"] for a in site.expected()["articles"]}
    assert expected <= set(counts)


def test_stopped_worker_puts_its_leases_back_at_once(site, valkey, tmp_path):
    config = write_config(tmp_path, site.url, valkey.url)
    run_id = "20261128T000000Z-sigterm"
    settings = {**SLOW, "ARCHIVE_RUN_ID": run_id}  # leases of 60 s: expiry is not waited for
    worker = start_worker(config, "w1", settings)
    deadline = time.monotonic() + 60
    while len(fetch_counts(site)) < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.send_signal(signal.SIGTERM)  # systemctl stop, or Ctrl-C
    finish(worker, config, "w1")
    # What it was downloading it finished and acknowledged; the rest it never held.
    keys = RunKeys("newsvault", run_id)
    redis = valkey.client()
    assert redis.zcard(keys.leases) == 0  # nothing waits for a lease to expire
    assert redis.zcard(keys.queue) > 0
    # The next worker takes them at once and the run completes.
    worker = start_worker(config, "w2", settings)
    log = finish(worker, config, "w2")
    assert worker.returncode == 0, log[-3000:]
    expected = {a["canonical_path"] for a in site.expected()["articles"]}
    assert expected <= set(fetch_counts(site))
