"""The s3:// store against a real SeaweedFS server: the store contract and S3 failures."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.storage import (
    FileStore,
    S3Store,
    StorageConfigError,
    Store,
    StoreUnavailableError,
    check_stores,
    store_from_uri,
)
from tests.services import SeaweedFS
from tests.store_contract import MB, StoreContract

logger = logging.getLogger(__name__)


def s3_options(server: SeaweedFS, **extra: Any) -> dict[str, Any]:
    return {**server.settings(), **extra}


class TestS3Store(StoreContract):
    @pytest.fixture
    def store(self, s3_env: SeaweedFS) -> Iterator[Store]:
        prefix = f"contract/{uuid.uuid4().hex[:12]}"
        opts = s3_options(
            s3_env, ARCHIVE_S3_MULTIPART_THRESHOLD=5 * MB, ARCHIVE_S3_MULTIPART_CHUNKSIZE=5 * MB
        )
        yield store_from_uri(f"s3://{s3_env.bucket}/{prefix}", opts)

    def test_describe_and_uri(self, s3_env: SeaweedFS) -> None:
        store = store_from_uri(f"s3://{s3_env.bucket}/some/prefix/", s3_options(s3_env))
        assert store.describe() == f"s3://{s3_env.bucket}/some/prefix"
        assert store.uri_for("k.json") == f"s3://{s3_env.bucket}/some/prefix/k.json"

    def test_prefixes_do_not_leak(self, s3_env: SeaweedFS) -> None:
        base = uuid.uuid4().hex[:8]
        a = store_from_uri(f"s3://{s3_env.bucket}/{base}/warc", s3_options(s3_env))
        b = store_from_uri(f"s3://{s3_env.bucket}/{base}/warc-other", s3_options(s3_env))
        a.put_bytes(b"a", "f.gz")
        b.put_bytes(b"b", "g.gz")
        assert list(a.list()) == ["f.gz"]
        assert list(b.list()) == ["g.gz"]

    def test_wrong_credentials_fail_check_in_one_line(
        self, s3_env: SeaweedFS, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-value")
        store = store_from_uri(f"s3://{s3_env.bucket}/x", s3_options(s3_env))
        with pytest.raises(StoreUnavailableError) as info:
            store.check()
        message = str(info.value)
        assert "\n" not in message
        assert f"s3://{s3_env.bucket}/x" in message
        assert "credentials" in message
        assert "wrong-secret-value" not in message
        assert s3_env.access_key not in message

    def test_unknown_access_key_fails_check(
        self, s3_env: SeaweedFS, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "NOSUCHKEY")
        store = store_from_uri(f"s3://{s3_env.bucket}", s3_options(s3_env))
        with pytest.raises(StoreUnavailableError, match="rejected the credentials"):
            store.check()

    def test_missing_bucket_fails_then_is_created(self, s3_env: SeaweedFS) -> None:
        bucket = f"nv-missing-{uuid.uuid4().hex[:10]}"
        store = store_from_uri(f"s3://{bucket}/warc", s3_options(s3_env))
        with pytest.raises(StoreUnavailableError) as info:
            store.check()
        assert f"bucket '{bucket}' does not exist" in str(info.value)
        assert "--create-bucket" in str(info.value)
        store.check(create=True)
        store.check()
        store.put_bytes(b"now it works", "k.json")
        assert store.get_bytes("k.json") == b"now it works"

    def test_unreachable_endpoint_fails_check(self, s3_env: SeaweedFS) -> None:
        from tests.services import free_port_pairs

        port = free_port_pairs(1)[0]
        opts = {**s3_options(s3_env), "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
        store = store_from_uri(f"s3://{s3_env.bucket}/p", opts)
        with pytest.raises(StoreUnavailableError) as info:
            store.check()
        assert f"cannot reach http://127.0.0.1:{port}" in str(info.value)
        assert "\n" not in str(info.value)

    def test_sha256_is_stored_as_metadata(self, store: Store) -> None:
        data = b"metadata travels with the object"
        store.put_bytes(data, "m.json")
        assert isinstance(store, S3Store)
        info = store.stat("m.json")
        assert info is not None and info.sha256 == hashlib.sha256(data).hexdigest()

    def test_check_stores_probes_every_store(
        self, s3_env: SeaweedFS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings = {
            **s3_options(s3_env),
            "ARCHIVE_STORAGE_WARC": f"s3://{s3_env.bucket}/run/warc",
            "ARCHIVE_STORAGE_JSON": str(tmp_path / "json"),
            "ARCHIVE_STORAGE_STATE": (tmp_path / "state").as_uri(),
            "ARCHIVE_STORAGE_MANIFESTS": f"s3://nv-absent-{uuid.uuid4().hex[:8]}/manifests",
        }
        with pytest.raises(StorageConfigError, match="does not exist"):
            check_stores(settings)
        stores = check_stores(settings, create_bucket=True)
        assert isinstance(stores["warc"], S3Store)
        assert isinstance(stores["json"], FileStore)
        assert (tmp_path / "json").is_dir()
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "bad")
        with pytest.raises(StorageConfigError, match="rejected the credentials"):
            check_stores(settings)
