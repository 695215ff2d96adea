"""kill -9 mid-crawl: the workers die with the crawl, and the next `newsvault upload` writes
the killed run's manifest, so `newsvault verify` covers every stored file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.sample_site import SampleSite

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def _wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _newsvault(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "newsvault"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_kill_9_then_upload_writes_the_dead_runs_manifest(site, tmp_path):
    archive = tmp_path / "archive"
    config = tmp_path / "kill.yaml"
    config.write_text(
        f"""
storage:
  warc: {archive}/warc
  json: {archive}/json
  state: {archive}/state
  manifests: {archive}/manifests
  spool: {tmp_path}/spool
crawl:
  download_delay: 0.3
  autothrottle: false
  concurrency_per_domain: 1
  allow_private_networks: true
warc:
  max_file_mb: 0.01
json:
  max_records: 1
extraction:
  workers: 2
sources:
  - name: meridian
    start_urls: ["{site.url}/"]
"""
    )
    env = {**os.environ, "NEWSVAULT_CONFIG": str(config)}
    log = (tmp_path / "crawl.log").open("wb")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "news"], cwd=ROOT, env=env, stderr=log
    )
    try:
        # some files stored (WARCs rotate every 10 kB, shards every article) and
        # both extraction workers up
        _wait(lambda: len(list(archive.rglob("*.jsonl.gz"))) >= 2, 120, "stored files")
        children = psutil.Process(crawl.pid).children(recursive=True)
        assert len(children) >= 2
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(10)
    finally:
        if crawl.poll() is None:
            crawl.kill()
        log.close()

    # the extraction workers and multiprocessing's resource tracker die with the crawl
    def all_gone() -> bool:
        return not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)

    _wait(all_gone, 10, f"the crawl's children {[c.pid for c in children]} to exit")

    journals = list((tmp_path / "spool" / "journal").glob("*.jsonl"))
    assert len(journals) == 1
    dead_run = journals[0].stem
    assert not list((archive / "manifests").rglob("*.json"))  # the killed run wrote none

    upload = _newsvault(env, "upload", "--config", str(config))
    assert upload.returncode == 0, upload.stderr
    assert f"recovery manifest(s) for run(s) {dead_run}" in upload.stdout

    manifest = json.loads((archive / "manifests" / f"{dead_run}.json").read_text())
    assert manifest["run_id"] == dead_run
    assert manifest["recovered"]["by"].startswith("newsvault upload")
    assert manifest["finish_reason"] == "killed"

    # every stored file is listed by some manifest, and they all verify
    listed: set[str] = set()
    for path in (archive / "manifests").rglob("*.json"):
        listed |= {f["uri"] for f in json.loads(path.read_text())["files"]}
    stored = {p.as_uri() for p in archive.rglob("*") if p.is_file() and "manifests" not in p.parts}
    assert stored and stored <= listed, sorted(stored - listed)
    verify = _newsvault(env, "verify", str(archive / "manifests"))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert not list((tmp_path / "spool" / "journal").glob("*.jsonl"))

    # The killed run's capture index rows are left in the spool; the next crawl drops them
    # (and recovers its open WARC), and `newsvault index` builds the dead run's index from
    # its CDXJ: none of its captures is lost from the index.
    spills = list((tmp_path / "spool" / "open").glob("*.captures.jsonl.open"))
    assert [p.name.split(".", 1)[0] for p in spills] == [dead_run]
    again = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert not list((tmp_path / "spool" / "open").glob("*.captures.jsonl.open"))
    indexed = _newsvault(env, "index", "--run", dead_run, str(archive))
    assert indexed.returncode == 0, indexed.stdout + indexed.stderr
    assert dead_run in indexed.stdout
    assert (archive / "warc" / "index" / f"{dead_run}.parquet").is_file()
