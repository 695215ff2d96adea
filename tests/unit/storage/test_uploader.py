"""The background uploader: retries, leftovers, exactly-once keys, manifests, `newsvault upload`."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path

import pytest

from pipelines.manifest import build_manifest, iter_manifests, new_run_id, verify_manifest
from pipelines.storage import (
    FileStore,
    Store,
    StoreUnavailableError,
    Uploader,
    UploaderConfig,
)
from tests.upload_helpers import (
    DictStats,
    FlakyStore,
    assert_stored_once,
    make_files,
    spool_files,
    submit_all,
    uploader_for,
)

logger = logging.getLogger(__name__)


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


def test_retry_log_explains_the_failure_through_the_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FlakyStore(FileStore(tmp_path / "archive"), failures=1)
    up = uploader_for(tmp_path, {"warc": store})
    files = make_files(tmp_path / "src", 1)
    with caplog.at_level(logging.WARNING, logger="pipelines.storage.uploader"):
        up.start()
        submit_all(up, tmp_path / "src", files)
        assert up.finish() == []
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == 1
    assert store.inner.explain(ConnectionError("store is down")) in retries[0]


def test_config_defaults_come_from_the_one_table_of_defaults() -> None:
    from crawler.config import DEFAULT_SETTINGS

    config = UploaderConfig.from_settings({})
    assert config.spool == Path(DEFAULT_SETTINGS["ARCHIVE_STORAGE_SPOOL"])
    assert config.workers == DEFAULT_SETTINGS["ARCHIVE_UPLOAD_WORKERS"]
    assert config.close_timeout == DEFAULT_SETTINGS["ARCHIVE_UPLOAD_CLOSE_TIMEOUT"]
    assert config.retry_base == DEFAULT_SETTINGS["ARCHIVE_UPLOAD_RETRY_BASE"]
    assert config.retry_max == DEFAULT_SETTINGS["ARCHIVE_UPLOAD_RETRY_MAX"]
    assert config.create_bucket is DEFAULT_SETTINGS["ARCHIVE_STORAGE_CREATE_BUCKET"]
    assert UploaderConfig(spool=Path("s"), stores={}).workers == config.workers


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
