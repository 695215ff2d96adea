"""The background uploader: retries, leftovers, exactly-once keys, manifests, fail-fast."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipelines.manifest import build_manifest, iter_manifests, new_run_id, verify_manifest
from pipelines.storage import (
    FileStore,
    S3Store,
    Store,
    StoredObject,
    StoreUnavailableError,
    Uploader,
    UploaderConfig,
    store_from_uri,
)
from tests.services import SeaweedFS

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]


class DictStats:
    """The part of Scrapy's stats collector the uploader uses."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


class FlakyStore:
    """A FileStore whose first ``failures`` puts raise, like a store that is down."""

    def __init__(self, inner: FileStore, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.puts: list[str] = []
        self._lock = threading.Lock()

    def put_file(self, local_path: Path, key: str) -> StoredObject:
        with self._lock:
            if self.failures > 0:
                self.failures -= 1
                raise ConnectionError("store is down")
            self.puts.append(key)
        return self.inner.put_file(local_path, key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def make_files(directory: Path, count: int, size: int = 20_000) -> dict[str, bytes]:
    """``count`` distinct files under ``directory``; returns key -> content."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(count):
        key = f"2026/11/25/file-{i:03d}.warc.gz"
        data = os.urandom(size) + f"#{i}".encode()
        (directory / f"file-{i:03d}").write_bytes(data)
        out[key] = data
    return out


def uploader_for(
    tmp_path: Path, stores: dict[str, Store], stats: DictStats | None = None, **config: Any
) -> Uploader:
    cfg = UploaderConfig(
        spool=tmp_path / "spool",
        stores={name: s.describe() for name, s in stores.items()},
        **{"workers": 3, "retry_base": 0.05, "retry_max": 0.5, "close_timeout": 30.0, **config},
    )
    return Uploader(cfg, stores=stores, stats=stats or DictStats())


def submit_all(uploader: Uploader, src: Path, files: dict[str, bytes], store: str = "warc") -> None:
    for i, key in enumerate(files):
        uploader.submit(src / f"file-{i:03d}", store, key, records=i + 1, kind="warc")


def assert_stored_once(store: Store, files: dict[str, bytes], prefix: str = "") -> None:
    """Every file stored under exactly its key with the same bytes, and nothing else."""
    assert sorted(store.list(prefix)) == sorted(files)
    for key, data in files.items():
        info = store.stat(key)
        assert info is not None, key
        assert info.size == len(data), key
        assert store.sha256(key) == hashlib.sha256(data).hexdigest(), key


def spool_files(uploader: Uploader) -> list[Path]:
    return sorted(p for p in (uploader.spool / "ready").rglob("*") if p.is_file())


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


# --------------------------------------------------------------------------- file:// and doubles


def test_submitted_files_are_uploaded_verified_and_removed(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "archive")
    stats = DictStats()
    up = uploader_for(tmp_path, {"warc": store}, stats)
    files = make_files(tmp_path / "src", 12)
    up.start()
    submit_all(up, tmp_path / "src", files)
    pending = up.finish()
    assert pending == []
    assert_stored_once(store, files)
    assert spool_files(up) == []
    assert stats.values["newsvault/upload/files"] == 12
    assert stats.values["newsvault/upload/bytes"] == sum(map(len, files.values()))
    assert stats.values["newsvault/upload/pending"] == 0
    shipped = {f.key: f for f in up.shipped}
    assert set(shipped) == set(files)
    first = shipped["2026/11/25/file-000.warc.gz"]
    assert first.records == 1 and first.kind == "warc" and first.status == "uploaded"
    assert first.sha256 == hashlib.sha256(files[first.key]).hexdigest()
    assert first.uri == store.uri_for(first.key)


def test_producers_moving_files_in_while_uploads_finish_lose_nothing(tmp_path: Path) -> None:
    """A producer creates the day folder and moves its file in (as the WARC writer does,
    from its own thread) while workers finish uploads from that folder: no file or
    record count may be lost, and empty folders are only tidied at finish()."""
    from pipelines.gzfiles import move_to_ready

    store = FileStore(tmp_path / "archive")
    up = uploader_for(tmp_path, {"warc": store})
    up.start()
    files: dict[str, bytes] = {}
    for i in range(200):
        name = f"f-{i:03d}.warc.gz"
        key = f"2026/11/25/{name}"
        src = tmp_path / "open" / name
        src.parent.mkdir(parents=True, exist_ok=True)
        files[key] = f"payload {i}".encode()
        src.write_bytes(files[key])
        ready = move_to_ready(up.spool, "warc", key, src)
        up.submit(ready, "warc", key, records=i + 1, kind="warc")
    assert up.finish() == []
    assert_stored_once(store, files)
    assert sorted(f.records for f in up.shipped) == list(range(1, 201))
    assert not any((up.spool / "ready").rglob("*"))  # tidied at the end


def test_submit_moves_the_file_to_its_fixed_spool_path(tmp_path: Path) -> None:
    up = uploader_for(tmp_path, {"json": FileStore(tmp_path / "archive")})
    src = tmp_path / "shard.jsonl.gz"
    src.write_bytes(b"data")
    path = up.submit(src, "json", "2026/11/25/shard.jsonl.gz", records=3, kind="json")
    assert path == tmp_path / "spool" / "ready" / "json" / "2026" / "11" / "25" / "shard.jsonl.gz"
    assert path.read_bytes() == b"data"
    assert not src.exists()
    # not started: it just waits
    assert up.pending_files() == [("json", "2026/11/25/shard.jsonl.gz")]


def test_submit_rejects_unknown_store_and_unsafe_key(tmp_path: Path) -> None:
    up = uploader_for(tmp_path, {"warc": FileStore(tmp_path / "archive")})
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(ValueError, match="unknown store"):
        up.submit(tmp_path / "f", "nope", "a.gz")
    with pytest.raises(ValueError):
        up.submit(tmp_path / "f", "warc", "../escape.gz")
    assert (tmp_path / "f").exists()


def test_check_fails_in_one_line_on_an_unwritable_spool(tmp_path: Path) -> None:
    (tmp_path / "spool").write_text("a file where the spool directory should be")
    up = uploader_for(tmp_path, {"warc": FileStore(tmp_path / "archive")})
    with pytest.raises(StoreUnavailableError) as info:
        up.check()
    assert "\n" not in str(info.value)
    assert str(tmp_path / "spool") in str(info.value)
    assert "storage.spool" in str(info.value)


def test_one_spool_is_shipped_by_one_uploader_at_a_time(tmp_path: Path) -> None:
    first = uploader_for(tmp_path, {"warc": FileStore(tmp_path / "archive")})
    second = uploader_for(tmp_path, {"warc": FileStore(tmp_path / "archive")})
    first.check()
    with pytest.raises(StoreUnavailableError, match="in use by another newsvault process"):
        second.check()
    first.start()
    first.finish()
    second.check()  # released at stop
    second.stop()


def test_failed_uploads_are_retried_with_backoff(tmp_path: Path) -> None:
    flaky = FlakyStore(FileStore(tmp_path / "archive"), failures=7)
    stats = DictStats()
    up = uploader_for(tmp_path, {"warc": flaky}, stats)  # type: ignore[dict-item]
    files = make_files(tmp_path / "src", 5)
    up.start()
    submit_all(up, tmp_path / "src", files)
    assert up.finish() == []
    assert_stored_once(flaky.inner, files)
    assert stats.values["newsvault/upload/retries"] == 7
    assert stats.values["newsvault/upload/files"] == 5
    assert sorted(flaky.puts) == sorted(files)  # each stored once after its failures


def test_dead_store_leaves_files_in_spool_for_the_next_run(tmp_path: Path) -> None:
    archive = FileStore(tmp_path / "archive")
    down = FlakyStore(archive, failures=10**9)
    stats = DictStats()
    up = uploader_for(tmp_path, {"warc": down}, stats, close_timeout=0.5)  # type: ignore[dict-item]
    files = make_files(tmp_path / "src", 4)
    up.start()
    submit_all(up, tmp_path / "src", files)
    started = time.monotonic()
    pending = up.finish()
    assert time.monotonic() - started < 20  # bounded, not forever
    assert sorted(p.key for p in pending) == sorted(files)
    assert all(p.status == "pending" for p in pending)
    assert {p.key: p.records for p in pending}["2026/11/25/file-002.warc.gz"] == 3
    assert stats.values["newsvault/upload/pending"] == 4
    assert stats.values["newsvault/upload/failures"] == 4
    assert list(archive.list()) == []
    assert len(spool_files(up)) == 4

    # The next run (same spool, store back) ships the leftovers under the same keys.
    stats2 = DictStats()
    up2 = uploader_for(tmp_path, {"warc": archive}, stats2)
    assert up2.enqueue_pending() == 4
    up2.start()
    assert up2.finish() == []
    assert_stored_once(archive, files)
    assert spool_files(up2) == []
    records = {f.key: f.records for f in up2.shipped}
    assert records["2026/11/25/file-002.warc.gz"] == 3  # the sidecar survived the restart


def test_object_already_stored_is_not_uploaded_again(tmp_path: Path) -> None:
    # A crash after the upload but before the local delete leaves both copies.
    archive = FileStore(tmp_path / "archive")
    counting = FlakyStore(archive, failures=0)
    stats = DictStats()
    up = uploader_for(tmp_path, {"warc": counting}, stats)  # type: ignore[dict-item]
    files = make_files(tmp_path / "src", 2)
    archive.put_file(tmp_path / "src" / "file-000", "2026/11/25/file-000.warc.gz")
    submit_all(up, tmp_path / "src", files)
    up.start()
    assert up.finish() == []
    assert counting.puts == ["2026/11/25/file-001.warc.gz"]
    assert stats.values["newsvault/upload/already_stored"] == 1
    assert_stored_once(archive, files)


def test_same_key_with_other_content_is_overwritten_not_duplicated(tmp_path: Path) -> None:
    archive = FileStore(tmp_path / "archive")
    archive.put_bytes(b"stale partial copy", "state/state.sqlite")
    up = uploader_for(tmp_path, {"state": archive})
    (tmp_path / "db").write_bytes(b"the real state database")
    up.submit(tmp_path / "db", "state", "state/state.sqlite")
    up.start()
    assert up.finish() == []
    assert list(archive.list()) == ["state/state.sqlite"]
    assert archive.get_bytes("state/state.sqlite") == b"the real state database"


def test_close_hook_runs_after_drain_and_its_files_ship(tmp_path: Path) -> None:
    archive = FileStore(tmp_path / "archive")
    manifests = FileStore(tmp_path / "manifests")
    up = uploader_for(tmp_path, {"warc": archive, "manifests": manifests})
    files = make_files(tmp_path / "src", 6)
    seen: list[int] = []

    def hook(u: Uploader) -> None:
        seen.append(len(u.shipped))
        (tmp_path / "m.json").write_text(json.dumps(sorted(f.key for f in u.shipped)))
        u.submit(tmp_path / "m.json", "manifests", "run.json")

    up.add_close_hook(hook)
    up.start()
    submit_all(up, tmp_path / "src", files)
    assert up.finish() == []
    assert seen == [6]  # every earlier file was shipped before the hook ran
    assert json.loads(manifests.get_bytes("run.json")) == sorted(files)


def test_close_hooks_run_by_order_each_drained_before_the_next(tmp_path: Path) -> None:
    stores: dict[str, Store] = {
        "state": FileStore(tmp_path / "state"),
        "manifests": FileStore(tmp_path / "manifests"),
    }
    up = uploader_for(tmp_path, stores)
    seen: list[list[str]] = []

    def manifest(u: Uploader) -> None:  # registered first, but must run last
        seen.append(sorted(f.key for f in u.shipped))

    def state(u: Uploader) -> None:
        (tmp_path / "db").write_bytes(b"sqlite")
        u.submit(tmp_path / "db", "state", "state.sqlite", kind="state")

    up.add_close_hook(manifest, order=1000)
    up.add_close_hook(state)
    up.start()
    assert up.finish() == []
    assert seen == [["state.sqlite"]]


# --------------------------------------------------------------------------- manifests


def test_manifest_lists_files_and_verify_finds_problems(tmp_path: Path) -> None:
    stores: dict[str, Store] = {
        "warc": FileStore(tmp_path / "warc"),
        "manifests": FileStore(tmp_path / "manifests"),
    }
    up = uploader_for(tmp_path, stores)
    files = make_files(tmp_path / "src", 3)
    up.start()
    submit_all(up, tmp_path / "src", files)
    up.drain(30)
    stats = {
        "finish_reason": "finished",
        "newsvault/source/example-news/articles": 7,
        "newsvault/source/example-news/pages": 9,
        "newsvault/source/other/articles": 1,
        "downloader/response_count": 10,
    }
    run_id = new_run_id()
    doc = build_manifest(
        run_id=run_id,
        config_hash="abc123",
        started=None,
        finished=None,
        stats=stats,
        files=up.shipped,
        stores={n: s.describe() for n, s in stores.items()},
    )
    up.finish()
    assert doc["run_id"] == run_id
    assert doc["config_hash"] == "abc123"
    assert doc["sources"] == {
        "example-news": {"articles": 7, "pages": 9},
        "other": {"articles": 1},
    }
    assert set(doc["software"]) >= {"scrapy", "warcio", "trafilatura", "boto3", "python"}
    assert [f["key"] for f in doc["files"]] == sorted(files)
    assert doc["totals"]["records"] == {"warc": 1 + 2 + 3}
    assert verify_manifest(doc, stores) == []

    stores["manifests"].put_bytes(json.dumps(doc).encode(), f"{run_id}.json")
    assert [k for k, _ in iter_manifests(stores["manifests"])] == [f"{run_id}.json"]

    warc = stores["warc"]
    warc.put_bytes(b"tampered", "2026/11/25/file-000.warc.gz")
    warc.delete("2026/11/25/file-001.warc.gz")
    problems = verify_manifest(doc, stores)
    assert len(problems) == 2
    assert any("file-000.warc.gz: size 8 !=" in p for p in problems)
    assert any("file-001.warc.gz: missing" in p for p in problems)
    # same size, other bytes: only the checksum tells
    data = bytearray(files["2026/11/25/file-002.warc.gz"])
    data[0] ^= 0xFF
    warc.put_bytes(bytes(data), "2026/11/25/file-002.warc.gz")
    assert any("file-002.warc.gz: sha256" in p for p in verify_manifest(doc, stores))


def test_manifest_lists_pending_files_and_verify_points_at_upload(tmp_path: Path) -> None:
    archive = FileStore(tmp_path / "archive")
    down = FlakyStore(archive, failures=10**9)
    up = uploader_for(tmp_path, {"warc": down}, close_timeout=0.3)  # type: ignore[dict-item]
    files = make_files(tmp_path / "src", 2)
    up.start()
    submit_all(up, tmp_path / "src", files)
    pending = up.finish()
    doc = build_manifest(
        run_id="r1",
        config_hash="",
        started=None,
        finished=None,
        stats={},
        files=pending,
        stores={"warc": archive.describe()},
    )
    assert doc["totals"]["pending"] == 2
    assert [f["sha256"] for f in doc["files"]] == [
        hashlib.sha256(files[k]).hexdigest() for k in sorted(files)
    ]
    problems = verify_manifest(doc, {"warc": archive})
    assert len(problems) == 2
    assert all("missing (still in the spool: run `newsvault upload`)" in p for p in problems)
    up2 = uploader_for(tmp_path, {"warc": archive})
    up2.enqueue_pending()
    up2.start()
    assert up2.finish() == []
    assert verify_manifest(doc, {"warc": archive}) == []  # the earlier run's manifest now holds


def test_manifest_has_no_credentials(tmp_path: Path, s3_env: SeaweedFS) -> None:
    store = store_from_uri(f"s3://{s3_env.bucket}/m", s3_env.settings())
    doc = build_manifest(
        run_id="r",
        config_hash="h",
        started=None,
        finished=None,
        stats={"x": 1},
        files=[],
        stores={"manifests": store.describe()},
    )
    text = json.dumps(doc)
    assert s3_env.secret_key not in text
    assert s3_env.access_key not in text


# --------------------------------------------------------------------------- real S3 (SeaweedFS)


@pytest.fixture
def s3_env(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> SeaweedFS:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    return seaweedfs


def s3_store(server: SeaweedFS, prefix: str) -> S3Store:
    store = store_from_uri(f"s3://{server.bucket}/{prefix}", server.settings())
    assert isinstance(store, S3Store)
    return store


def test_s3_server_killed_and_restarted_mid_upload(tmp_path: Path, s3_env: SeaweedFS) -> None:
    store = s3_store(s3_env, f"killed/{uuid.uuid4().hex[:10]}")
    stats = DictStats()
    up = uploader_for(tmp_path, {"warc": store}, stats, retry_base=0.2, retry_max=1.0)
    files = make_files(tmp_path / "src", 40, size=200_000)
    up.start()
    keys = list(files)
    for i, key in enumerate(keys[:10]):
        up.submit(tmp_path / "src" / f"file-{i:03d}", "warc", key, records=1, kind="warc")
    wait_until(lambda: len(up.shipped) >= 3)
    s3_env.kill()
    try:
        for i, key in enumerate(keys[10:], start=10):
            up.submit(tmp_path / "src" / f"file-{i:03d}", "warc", key, records=1, kind="warc")
        wait_until(lambda: stats.values.get("newsvault/upload/retries", 0) >= 3)
        assert len(spool_files(up)) > 0  # the spool grows while the store is down
    finally:
        s3_env.restart()
    assert up.finish() == []
    assert_stored_once(store, files)
    assert spool_files(up) == []
    assert sorted(f.key for f in up.shipped) == sorted(files)  # each shipped exactly once
    assert stats.values["newsvault/upload/retries"] >= 3


def test_s3_pending_files_are_picked_up_by_a_new_uploader(
    tmp_path: Path, s3_env: SeaweedFS
) -> None:
    store = s3_store(s3_env, f"pending/{uuid.uuid4().hex[:10]}")
    files = make_files(tmp_path / "src", 5)
    s3_env.kill()
    try:
        up = uploader_for(tmp_path, {"warc": store}, close_timeout=1.0)
        up.start()
        submit_all(up, tmp_path / "src", files)
        pending = up.finish()
        assert sorted(p.key for p in pending) == sorted(files)
    finally:
        s3_env.restart()
    stats = DictStats()
    up2 = uploader_for(tmp_path, {"warc": s3_store(s3_env, store.prefix)}, stats)
    up2.check()
    assert up2.enqueue_pending() == 5
    up2.start()
    assert up2.finish() == []
    assert_stored_once(store, files)
    assert stats.values["newsvault/upload/files"] == 5


def test_s3_wrong_credentials_fail_at_check_in_one_line(
    tmp_path: Path, s3_env: SeaweedFS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "definitely-wrong")
    store = s3_store(s3_env, "creds")
    up = uploader_for(tmp_path, {"warc": store, "json": FileStore(tmp_path / "json")})
    with pytest.raises(StoreUnavailableError) as info:
        up.check()
    message = str(info.value)
    assert "\n" not in message
    assert f"s3://{s3_env.bucket}/creds" in message
    assert "AWS_SECRET_ACCESS_KEY" in message  # the fix
    assert "definitely-wrong" not in message


def test_s3_missing_bucket_fails_and_is_created_on_request(
    tmp_path: Path, s3_env: SeaweedFS
) -> None:
    bucket = f"nv-new-{uuid.uuid4().hex[:10]}"
    store = store_from_uri(f"s3://{bucket}/warc", s3_env.settings())
    up = uploader_for(tmp_path, {"warc": store})
    with pytest.raises(StoreUnavailableError, match="does not exist"):
        up.check()
    up.check(create=True)
    files = make_files(tmp_path / "src", 2)
    up.start()
    submit_all(up, tmp_path / "src", files)
    assert up.finish() == []
    assert_stored_once(store, files)


def test_s3_multipart_upload_is_verified(tmp_path: Path, s3_env: SeaweedFS) -> None:
    opts = {
        **s3_env.settings(),
        "ARCHIVE_S3_MULTIPART_THRESHOLD": 5 * 1024 * 1024,
        "ARCHIVE_S3_MULTIPART_CHUNKSIZE": 5 * 1024 * 1024,
    }
    store = store_from_uri(f"s3://{s3_env.bucket}/mp/{uuid.uuid4().hex[:8]}", opts)
    up = uploader_for(tmp_path, {"warc": store})
    data = os.urandom(11 * 1024 * 1024)
    (tmp_path / "big").write_bytes(data)
    up.submit(tmp_path / "big", "warc", "big.warc.gz", records=99, kind="warc")
    up.start()
    assert up.finish() == []
    assert store.stat("big.warc.gz") == StoredObject(
        "big.warc.gz", len(data), hashlib.sha256(data).hexdigest()
    )
    assert store.sha256("big.warc.gz") == hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- inside a Scrapy crawl

CRAWL_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from pipelines.storage import get_uploader

    class Producer:
        # Like the WARC writer: writes files and submits the last one at spider_closed.
        def __init__(self, crawler):
            self.crawler = crawler
            self.uploader = get_uploader(crawler)
            self.n = 0
            crawler.signals.connect(self.response, signal=signals.response_received)
            crawler.signals.connect(self.closed, signal=signals.spider_closed)

        @classmethod
        def from_crawler(cls, crawler):
            return cls(crawler)

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
    settings["EXTENSIONS"] = {"__main__.Producer": 100,
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


# --------------------------------------------------------------------------- newsvault upload / verify


def cli(*argv: str) -> int:
    from crawler.cli import main

    return main(list(argv))


def test_cli_upload_ships_leftovers_and_verify_checks_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSVAULT_CONFIG", raising=False)
    # what a crashed run leaves behind
    up = uploader_for(tmp_path, {"warc": FileStore(tmp_path / "archive" / "warc")})
    files = make_files(tmp_path / "src", 3)
    submit_all(up, tmp_path / "src", files)
    spool = ["-s", f"ARCHIVE_STORAGE_SPOOL={tmp_path / 'spool'}"]

    assert cli("upload", *spool) == 0
    assert "uploaded 3 file(s)" in capsys.readouterr().out
    assert_stored_once(FileStore(tmp_path / "archive" / "warc"), files)
    assert spool_files(up) == []
    manifests = list((tmp_path / "archive" / "manifests").glob("*-upload.json"))
    assert len(manifests) == 1
    listed = json.loads(manifests[0].read_text())["files"]
    assert sorted(f["key"] for f in listed) == sorted(files)

    assert cli("upload", *spool) == 0
    assert "nothing to upload" in capsys.readouterr().out

    assert cli("verify", "archive/manifests") == 0
    assert "0 problem(s)" in capsys.readouterr().out
    (tmp_path / "archive" / "warc" / "2026" / "11" / "25" / "file-001.warc.gz").unlink()
    assert cli("verify", "archive/manifests") == 1
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "file-001.warc.gz: missing" in out
    assert "1 problem(s)" in err
    assert cli("verify", str(manifests[0])) == 1  # a single manifest by path
    capsys.readouterr()
    assert cli("verify", "archive/empty") == 1
    assert "no run manifests" in capsys.readouterr().err


def test_cli_upload_reports_unusable_store_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    s3_env: SeaweedFS,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSVAULT_CONFIG", raising=False)
    bucket = f"nv-cli-{uuid.uuid4().hex[:8]}"
    args = [f"-s{k}={v}" for k, v in s3_env.settings().items()]
    args += ["-s", f"ARCHIVE_STORAGE_WARC=s3://{bucket}/warc"]
    assert cli("upload", *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"bucket '{bucket}' does not exist" in err
    assert cli("upload", "--create-bucket", *args) == 0
    assert "nothing to upload" in capsys.readouterr().out


def test_cli_verify_on_s3_with_deep_check(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    s3_env: SeaweedFS,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSVAULT_CONFIG", raising=False)
    base = f"s3://{s3_env.bucket}/verify-{uuid.uuid4().hex[:8]}"
    args = [f"-s{k}={v}" for k, v in s3_env.settings().items()]
    args += ["-s", f"ARCHIVE_STORAGE_WARC={base}/warc", "-s", f"ARCHIVE_STORAGE_MANIFESTS={base}/m"]
    args += ["-s", f"ARCHIVE_STORAGE_SPOOL={tmp_path / 'spool'}"]
    warc = s3_store(s3_env, base.split("/", 3)[3] + "/warc")
    up = uploader_for(tmp_path, {"warc": warc})
    files = make_files(tmp_path / "src", 2)
    submit_all(up, tmp_path / "src", files)
    assert cli("upload", *args) == 0
    assert_stored_once(warc, files)
    assert cli("verify", f"{base}/m", "--deep", *args) == 0
    capsys.readouterr()
    # same size and same sha256 metadata, other bytes: only --deep notices
    key = "2026/11/25/file-000.warc.gz"
    data = bytearray(files[key])
    data[0] ^= 0xFF
    warc._client.put_object(
        Bucket=warc.bucket,
        Key=warc._full(key),
        Body=bytes(data),
        Metadata={"sha256": hashlib.sha256(files[key]).hexdigest()},
    )
    assert cli("verify", f"{base}/m", *args) == 0
    capsys.readouterr()
    assert cli("verify", f"{base}/m", "--deep", *args) == 1
    assert "file-000.warc.gz: sha256" in capsys.readouterr().out
