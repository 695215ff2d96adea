"""The uploader inside real Scrapy crawls: every file ships, the manifest last; fail-fast."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from pipelines.manifest import verify_manifest
from pipelines.storage import (
    FileStore,
)
from tests.services import SeaweedFS

logger = logging.getLogger(__name__)


REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- inside a Scrapy crawl

CRAWL_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from pipelines.storage import UploadExtension

    class Producer:
        # Like the WARC writer: writes files and submits the last one at spider_closed.
        def __init__(self, crawler):
            self.crawler = crawler
            self.uploader = None
            self.n = 0
            crawler.signals.connect(self.opened, signal=signals.spider_opened)
            crawler.signals.connect(self.response, signal=signals.response_received)
            crawler.signals.connect(self.closed, signal=signals.spider_closed)

        @classmethod
        def from_crawler(cls, crawler):
            return cls(crawler)

        def opened(self, spider):
            # the crawl's one uploader, owned by UploadExtension
            self.uploader = self.crawler.get_extension(UploadExtension).uploader

        def _ship(self):
            self.n += 1
            spool = Path(self.crawler.settings["ARCHIVE_STORAGE_SPOOL"])
            path = spool / "open" / f"f{self.n}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"payload %d" % self.n * 1000)
            self.uploader.submit(path, "warc", f"2026/11/25/f{self.n}.warc.gz",
                                 records=self.n, kind="warc")

        def response(self, response, request, spider):
            self._ship()

        def closed(self, spider, reason):
            self._ship()

    class Spider(scrapy.Spider):
        name = "t"
        def __init__(self, url, **kw):
            super().__init__(**kw)
            self.start_urls = [url]
        def parse(self, response):
            pass

    settings = json.loads(sys.argv[1])
    settings["EXTENSIONS"] = {"pipelines.storage.UploadExtension": 10,
                              "__main__.Producer": 100,
                              "pipelines.manifest.RunManifestExtension": 900}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Spider)
    process.crawl(crawler, url=sys.argv[2])
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({k: str(v) for k, v in stats.items()}))
    """
)


def run_crawl(tmp_path: Path, settings: dict[str, Any], url: str) -> dict[str, str]:
    script = tmp_path / "crawl_script.py"
    script.write_text(CRAWL_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    base = {"LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False}
    proc = subprocess.run(
        [sys.executable, str(script), json.dumps({**base, **settings}), url],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats: dict[str, str] = json.loads(proc.stdout.strip().splitlines()[-1])
    stats["__log__"] = proc.stderr
    return stats


@pytest.fixture
def tiny_site(tmp_path: Path) -> Any:
    import http.server

    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><body>hello</body></html>")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_crawl_ships_every_file_then_the_manifest_last(tmp_path: Path, tiny_site: str) -> None:
    settings = {
        "ARCHIVE_STORAGE_SPOOL": str(tmp_path / "spool"),
        "ARCHIVE_STORAGE_WARC": str(tmp_path / "archive" / "warc"),
        "ARCHIVE_STORAGE_JSON": str(tmp_path / "archive" / "json"),
        "ARCHIVE_STORAGE_STATE": str(tmp_path / "archive" / "state"),
        "ARCHIVE_STORAGE_MANIFESTS": str(tmp_path / "archive" / "manifests"),
        "ARCHIVE_CONFIG_HASH": "cafebabe",
        "ARCHIVE_RUN_ID": "20261125T000000Z-abcdef",
    }
    stats = run_crawl(tmp_path, settings, tiny_site)
    assert stats["finish_reason"] == "finished"
    manifests = FileStore(tmp_path / "archive" / "manifests")
    assert list(manifests.list()) == ["20261125T000000Z-abcdef.json"]
    doc = json.loads(manifests.get_bytes("20261125T000000Z-abcdef.json"))
    assert doc["config_hash"] == "cafebabe"
    # the file submitted at spider_closed made it into the manifest: ordering is right
    assert [f["key"] for f in doc["files"]] == ["2026/11/25/f1.warc.gz", "2026/11/25/f2.warc.gz"]
    assert [f["records"] for f in doc["files"]] == [1, 2]
    assert all(f["status"] == "uploaded" for f in doc["files"])
    warc = FileStore(tmp_path / "archive" / "warc")
    assert verify_manifest(doc, {"warc": warc, "manifests": manifests}) == []
    assert list((tmp_path / "spool" / "ready").rglob("*.*")) == []
    assert stats["newsvault/upload/files"] == "3"  # two WARCs and the manifest


def test_crawl_with_unusable_store_stops_before_fetching(
    tmp_path: Path, tiny_site: str, s3_env: SeaweedFS
) -> None:
    settings = {
        **s3_env.settings(),
        "ARCHIVE_STORAGE_SPOOL": str(tmp_path / "spool"),
        "ARCHIVE_STORAGE_WARC": f"s3://nv-absent-{uuid.uuid4().hex[:8]}/warc",
        "ARCHIVE_STORAGE_JSON": str(tmp_path / "archive" / "json"),
        "ARCHIVE_STORAGE_STATE": str(tmp_path / "archive" / "state"),
        "ARCHIVE_STORAGE_MANIFESTS": str(tmp_path / "archive" / "manifests"),
    }
    stats = run_crawl(tmp_path, settings, tiny_site)
    assert stats["finish_reason"] == "storage_unavailable"
    assert "downloader/response_count" not in stats
    errors = [line for line in stats["__log__"].splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "does not exist" in errors[0] and "--create-bucket" in errors[0]
    # the file produced at close waits in the spool: nothing lost
    assert [p.name for p in (tmp_path / "spool" / "ready").rglob("*.gz")] == ["f1.warc.gz"]
