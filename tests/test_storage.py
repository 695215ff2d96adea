"""Contract tests of the store protocol against file:// and a real SeaweedFS s3:// server."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.storage import (
    FileStore,
    ObjectNotFoundError,
    S3Store,
    StorageConfigError,
    Store,
    StoreUnavailableError,
    check_stores,
    store_from_uri,
)
from tests.services import SeaweedFS

logger = logging.getLogger(__name__)

MB = 1024 * 1024


def s3_options(server: SeaweedFS, **extra: Any) -> dict[str, Any]:
    return {**server.settings(), **extra}


@pytest.fixture
def s3_env(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> SeaweedFS:
    """Credentials for the test server through boto3's standard chain (environment)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    return seaweedfs


class StoreContract:
    """Every store backend must pass these; subclasses provide the ``store`` fixture."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def test_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_check_passes_on_a_usable_store(self, store: Store) -> None:
        store.check()

    def test_put_bytes_round_trip(self, store: Store) -> None:
        data = b"WARC/1.1\r\n" + os.urandom(1000)
        obj = store.put_bytes(data, "2026/11/25/a.warc.gz")
        assert obj.key == "2026/11/25/a.warc.gz"
        assert obj.size == len(data)
        assert obj.sha256 == hashlib.sha256(data).hexdigest()
        assert store.get_bytes("2026/11/25/a.warc.gz") == data

    def test_put_file_returns_size_and_sha256(self, store: Store, tmp_path: Path) -> None:
        data = os.urandom(300_000)
        local = tmp_path / "local.jsonl.gz"
        local.write_bytes(data)
        obj = store.put_file(local, "2026/11/25/shard-00001.jsonl.gz")
        assert (obj.size, obj.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert store.get_bytes("2026/11/25/shard-00001.jsonl.gz") == data
        assert local.read_bytes() == data  # the store copies; the uploader deletes

    def test_stat_exists_size_and_sha256(self, store: Store) -> None:
        data = b"x" * 4321
        store.put_bytes(data, "d/one.cdxj")
        info = store.stat("d/one.cdxj")
        assert info is not None
        assert (info.size, info.sha256) == (4321, hashlib.sha256(data).hexdigest())
        assert store.exists("d/one.cdxj")
        assert store.size("d/one.cdxj") == 4321
        assert store.sha256("d/one.cdxj") == hashlib.sha256(data).hexdigest()

    def test_missing_objects(self, store: Store) -> None:
        assert not store.exists("no/such.json")
        assert store.stat("no/such.json") is None
        with pytest.raises(ObjectNotFoundError):
            store.get_bytes("no/such.json")
        with pytest.raises(ObjectNotFoundError):
            store.size("no/such.json")
        with pytest.raises(ObjectNotFoundError):
            store.read_range("no/such.json", 0, 10)

    def test_overwrite_replaces_content(self, store: Store) -> None:
        store.put_bytes(b"first version", "state.sqlite")
        store.put_bytes(b"second", "state.sqlite")
        assert store.get_bytes("state.sqlite") == b"second"
        assert store.size("state.sqlite") == 6

    def test_list_returns_relative_keys_under_prefix(self, store: Store) -> None:
        keys = ["2026/11/24/a.warc.gz", "2026/11/25/b.warc.gz", "2026/11/25/b.cdxj", "top.json"]
        for key in keys:
            store.put_bytes(key.encode(), key)
        assert sorted(store.list()) == sorted(keys)
        assert sorted(store.list("2026/11/25/")) == ["2026/11/25/b.cdxj", "2026/11/25/b.warc.gz"]
        assert list(store.list("1999/")) == []

    def test_read_range(self, store: Store) -> None:
        data = bytes(range(256)) * 40  # 10240 bytes
        store.put_bytes(data, "r/file.warc.gz")
        assert store.read_range("r/file.warc.gz", 0, 10) == data[:10]
        assert store.read_range("r/file.warc.gz", 5000, 1234) == data[5000:6234]
        assert store.read_range("r/file.warc.gz", 10200, 100) == data[10200:]
        assert store.read_range("r/file.warc.gz", 20000, 10) == b""
        assert store.read_range("r/file.warc.gz", 3, 0) == b""
        with pytest.raises(ValueError):
            store.read_range("r/file.warc.gz", -1, 10)

    def test_delete_is_idempotent(self, store: Store) -> None:
        store.put_bytes(b"gone soon", "x/y.json")
        store.delete("x/y.json")
        assert not store.exists("x/y.json")
        store.delete("x/y.json")
        assert list(store.list("x/")) == []

    @pytest.mark.parametrize("key", ["", "/abs.json", "../up.json", "a//b.json", "a/./b", "a\\b"])
    def test_unsafe_keys_are_rejected(self, store: Store, key: str) -> None:
        with pytest.raises(ValueError):
            store.put_bytes(b"no", key)

    def test_large_file_round_trip(self, store: Store, tmp_path: Path) -> None:
        # Over the multipart threshold the S3 fixture sets (5 MB), in several parts.
        data = os.urandom(12 * MB + 12345)
        local = tmp_path / "big.warc.gz"
        local.write_bytes(data)
        obj = store.put_file(local, "big/big.warc.gz")
        assert obj.size == len(data)
        assert store.sha256("big/big.warc.gz") == hashlib.sha256(data).hexdigest()
        assert (
            store.read_range("big/big.warc.gz", 6 * MB - 10, 20) == data[6 * MB - 10 : 6 * MB + 10]
        )

    def test_uri_for_names_the_object(self, store: Store) -> None:
        uri = store.uri_for("2026/01/02/f.warc.gz")
        assert uri.startswith(store.describe().rstrip("/") + "/")
        assert uri.endswith("/2026/01/02/f.warc.gz")


class TestFileStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        yield FileStore(tmp_path / "archive")

    def test_writes_leave_no_temp_files(self, store: Store, tmp_path: Path) -> None:
        store.put_bytes(b"ok", "a/b.json")
        with pytest.raises(FileNotFoundError):
            store.put_file(tmp_path / "does-not-exist", "a/c.json")
        assert sorted(os.listdir(tmp_path / "archive" / "a")) == ["b.json"]
        assert not store.exists("a/c.json")

    def test_check_creates_the_directory(self, tmp_path: Path) -> None:
        store = FileStore(tmp_path / "new" / "dir")
        store.check()
        assert (tmp_path / "new" / "dir").is_dir()

    def test_check_fails_in_one_line_when_not_writable(self, tmp_path: Path) -> None:
        (tmp_path / "a-file").write_text("not a directory")
        store = FileStore(tmp_path / "a-file" / "archive")
        with pytest.raises(StoreUnavailableError) as info:
            store.check()
        message = str(info.value)
        assert "\n" not in message
        assert (tmp_path / "a-file" / "archive").as_uri() in message

    def test_describe_is_a_file_uri(self, tmp_path: Path) -> None:
        assert FileStore(tmp_path).describe() == tmp_path.as_uri()


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


class TestStoreFromUri:
    def test_plain_paths_and_file_uris(self, tmp_path: Path) -> None:
        for uri in (
            str(tmp_path / "a"),
            (tmp_path / "a").as_uri(),
            f"file://localhost{tmp_path}/a",
        ):
            store = store_from_uri(uri)
            assert isinstance(store, FileStore)
            assert store.root == tmp_path / "a"

    def test_relative_path_is_made_absolute(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        store = store_from_uri("archive/warc")
        assert isinstance(store, FileStore)
        assert store.root == tmp_path / "archive" / "warc"

    def test_s3_uri(self) -> None:
        store = store_from_uri("s3://my-bucket/some/prefix", {"AWS_REGION_NAME": "eu-west-1"})
        assert isinstance(store, S3Store)
        assert (store.bucket, store.prefix) == ("my-bucket", "some/prefix")
        assert store.describe() == "s3://my-bucket/some/prefix"

    def test_custom_endpoint_defaults_to_path_addressing(self) -> None:
        store = store_from_uri("s3://b", {"AWS_ENDPOINT_URL": "http://127.0.0.1:8333"})
        assert isinstance(store, S3Store)
        assert store.addressing_style == "path"
        virtual = store_from_uri(
            "s3://b",
            {"AWS_ENDPOINT_URL": "https://s3.example", "ARCHIVE_S3_ADDRESSING_STYLE": "virtual"},
        )
        assert isinstance(virtual, S3Store)
        assert virtual.addressing_style == "virtual"

    @pytest.mark.parametrize(
        ("uri", "fragment"),
        [
            ("ftp://host/dir", "unsupported scheme 'ftp'"),
            ("gs://bucket/x", "unsupported scheme 'gs'"),
            ("s3://", "s3://bucket/prefix"),
            ("s3:///no-bucket", "s3://bucket/prefix"),
            ("s3://bucket/p?x=1", "s3://bucket/prefix"),
            ("file://otherhost/data", "file:///absolute/path"),
            ("", "empty"),
        ],
    )
    def test_bad_uris_name_the_uri_and_the_fix(self, uri: str, fragment: str) -> None:
        with pytest.raises(StorageConfigError) as info:
            store_from_uri(uri)
        assert fragment in str(info.value)
        assert "\n" not in str(info.value)

    def test_credentials_in_uri_are_refused_and_not_echoed(self) -> None:
        with pytest.raises(StorageConfigError) as info:
            store_from_uri("s3://AKIAXXXX:supersecret@bucket/prefix")
        assert "supersecret" not in str(info.value)
        assert "AKIAXXXX" not in str(info.value)
        assert "AWS_PROFILE" in str(info.value)

    def test_bad_addressing_style(self) -> None:
        with pytest.raises(StorageConfigError, match="auto, path or virtual"):
            store_from_uri("s3://b/p", {"ARCHIVE_S3_ADDRESSING_STYLE": "sideways"})

    def test_bad_endpoint(self) -> None:
        with pytest.raises(StorageConfigError, match="AWS_ENDPOINT_URL"):
            store_from_uri("s3://b/p", {"AWS_ENDPOINT_URL": "127.0.0.1:8333"})


def test_local_stores_never_load_boto3(tmp_path: Path) -> None:
    """boto3 costs every crawl 7 MB and start-up time; only s3:// URIs load it."""
    code = textwrap.dedent(
        f"""
        import sys
        from pipelines.storage import check_stores, store_from_uri
        store = store_from_uri({str(tmp_path / "a")!r})
        store.put_bytes(b"x", "k")
        check_stores({{"ARCHIVE_STORAGE_WARC": {str(tmp_path / "w")!r}}})
        assert "boto3" not in sys.modules and "botocore" not in sys.modules, "loaded"
        store_from_uri("s3://bucket/prefix")
        assert "boto3" in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr
