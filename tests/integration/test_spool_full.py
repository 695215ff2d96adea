"""A spool that fills up mid-crawl: one ERROR line, complete files shipped, a manifest, exit 1.

The spool is a small tmpfs mounted in a private mount namespace of the crawl's own
(``unshare``), so the disk really is full: no fault injection in newsvault's code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.gzfiles import iter_members
from tests.sample_site import SampleSite
from tests.warc_helpers import records_of

ROOT = Path(__file__).resolve().parents[2]
SPOOL_KB = 160


def _namespace_mount_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=64k tmpfs /tmp",
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not _namespace_mount_works(),
    reason="needs `unshare -rm` (user and mount namespaces) to mount a small tmpfs",
)


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def test_full_spool_stops_ships_what_is_complete_and_exits_1(site, tmp_path):
    spool = tmp_path / "spool"
    archive = tmp_path / "archive"
    spool.mkdir()
    config = tmp_path / "full.yaml"
    config.write_text(
        f"""
storage:
  warc: {archive}/warc
  json: {archive}/json
  state: {archive}/state
  manifests: {archive}/manifests
  spool: {spool}
crawl:
  download_delay: 0
  autothrottle: false
  concurrency_per_domain: 4
  allow_private_networks: true
warc:
  max_file_mb: 1
sources:
  - name: meridian
    start_urls: ["{site.url}/"]
"""
    )
    crawl = f"{sys.executable} -m scrapy crawl news"
    proc = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            f"mount -t tmpfs -o size={SPOOL_KB}k tmpfs {spool} && exec {crawl}",
        ],
        cwd=ROOT,
        env={**os.environ, "NEWSVAULT_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    log = proc.stderr
    (tmp_path / "crawl.log").write_text(log)
    assert proc.returncode == 1, log[-3000:]
    assert "'finish_reason': 'spool_write_error'" in log
    # one ERROR line says what happened; the end-of-run assessment repeats the outcome
    errors = [
        line for line in log.splitlines() if " ERROR: " in line and "[crawler.outcome]" not in line
    ]
    assert len(errors) == 1, errors
    assert f"Cannot write {spool}/" in errors[0] and "free there" in errors[0]
    # no traceback from newsvault, no raw OSError anywhere (tldextract's are issue 12's)
    assert "Errno 28" not in log
    assert "/pipelines/" not in log and "/crawler/" not in log

    # what was complete is in the store: readable to the last record, nothing empty
    stored = [p for p in archive.rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        assert path.stat().st_size > 0, path
        assert not path.name.endswith(".open"), path
    warcs = sorted(archive.rglob("*.warc.gz"))
    assert warcs
    for path in warcs:
        assert records_of(path)
        with path.open("rb") as fh:
            assert sum(length for _o, length, _d in iter_members(fh)) == path.stat().st_size

    # the manifest lists every stored file, with matching sizes
    manifests = list((archive / "manifests").rglob("*.json"))
    assert len(manifests) == 1
    doc = json.loads(manifests[0].read_text())
    listed = {Path(f["uri"]).name: f for f in doc["files"]}
    for path in stored:
        if path in manifests:
            continue
        assert path.name in listed, path
        assert listed[path.name]["size"] == path.stat().st_size

    # the mount is gone with the namespace: the spool dir holds nothing half-written
    assert not [p for p in spool.rglob("*") if p.is_file() and p.stat().st_size == 0]
    # fetching stopped at once: far fewer pages than the site has
    fetched = int(re.search(r"'downloader/response_count': (\d+)", log).group(1))
    assert fetched < len(site.requests) + 1
