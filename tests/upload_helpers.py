"""Helpers of the uploader tests: stats and store doubles, files to ship, waiting."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.storage import FileStore, Store, StoredObject, Uploader, UploaderConfig


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
