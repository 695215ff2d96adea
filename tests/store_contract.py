"""The store protocol's contract: one abstract test class, run against every backend."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.storage import ObjectNotFoundError, Store

MB = 1024 * 1024


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

    def test_explain_names_the_store_and_the_problem_in_one_line(self, store: Store) -> None:
        message = store.explain(ConnectionError("connection reset by peer"))
        assert store.describe() in message
        assert "connection reset by peer" in message
        assert "\n" not in message
