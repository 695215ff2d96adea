"""The uploader against a real SeaweedFS: a dead server, credentials, buckets, the CLI."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from pathlib import Path

import pytest

from pipelines.manifest import build_manifest
from pipelines.storage import (
    FileStore,
    S3Store,
    StoredObject,
    StoreUnavailableError,
    store_from_uri,
)
from tests.services import SeaweedFS
from tests.upload_helpers import (
    DictStats,
    assert_stored_once,
    make_files,
    spool_files,
    submit_all,
    uploader_for,
    wait_until,
)

logger = logging.getLogger(__name__)


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


def cli(*argv: str) -> int:
    from crawler.cli import main

    return main(list(argv))


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
