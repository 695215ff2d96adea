"""crawl.jobdir: a crawl stopped by SIGTERM resumes where it stopped, fetching nothing twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_crawl import SOURCE, path_of, run_crawl
from tests.sample_site import SampleSite

ROOT = Path(__file__).resolve().parents[2]
NEWSVAULT = str(Path(sys.executable).parent / "newsvault")


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def _config(tmp_path: Path, site_url: str) -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(
        f"""
storage:
  warc: {tmp_path}/archive/warc
  json: {tmp_path}/archive/json
  spool: {tmp_path}/spool
crawl:
  jobdir: {tmp_path}/job
  download_delay: 0.1
  autothrottle: false
  concurrency_per_domain: 1
  allow_private_networks: true
sources:
  - name: {SOURCE}
    start_urls: ["{site_url}/"]
"""
    )
    return config


def _fetched(site: SampleSite) -> list[str]:
    return [path for _method, path, _headers in site.requests if path != "/robots.txt"]


def test_a_stopped_crawl_resumes_without_refetching(site, tmp_path):
    config = _config(tmp_path, site.url)
    site.clear_requests()
    proc = subprocess.Popen(
        [NEWSVAULT, "crawl", "--config", str(config), "-s", "ARCHIVE_PROGRESS_INTERVAL=0.2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        m = re.search(r"Progress: pages (\d+)", line)
        if m and int(m.group(1)) >= 8:
            proc.send_signal(signal.SIGTERM)  # what systemd sends on stop or reboot
            break
    proc.communicate(timeout=120)
    assert proc.returncode == 1  # finish reason "shutdown": the run did not complete
    first = _fetched(site)
    assert 8 <= len(first) < 36, first  # of the 42 pages a whole crawl fetches

    site.clear_requests()
    resumed = run_crawl(
        tmp_path, site.url, name="resumed", crawl_extra=f"  jobdir: {tmp_path}/job", spool="spool"
    )
    second = _fetched(site)
    assert second, "the resumed crawl fetched nothing"
    assert not set(first) & set(second), sorted(set(first) & set(second))
    # together, the two runs archived every article once
    expected = {a["canonical_path"] for a in site.expected()["articles"]}
    stored = _articles(tmp_path / "archive")
    assert sorted(path_of(url, site.url) for url in stored) == sorted(expected)
    assert resumed.finish_reason == "finished"

    # A finished crawl leaves no job behind: the next scheduled run starts afresh
    # (incrementally), instead of skipping its start URLs as already seen.
    assert not (tmp_path / "job").exists()
    site.clear_requests()
    run_crawl(
        tmp_path, site.url, name="next", crawl_extra=f"  jobdir: {tmp_path}/job", spool="spool"
    )
    assert "/" in _fetched(site)


def _articles(archive: Path) -> list[str]:
    import gzip
    import json

    urls = []
    for shard in sorted((archive / "json").rglob("*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            urls.extend(json.loads(line)["canonical_url"] for line in fh if line.strip())
    return urls
