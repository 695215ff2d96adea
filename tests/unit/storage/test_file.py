"""The file:// store: the store contract and what is particular to local directories."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.storage import FileStore, Store, StoreUnavailableError
from tests.store_contract import StoreContract


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

    def test_explain_names_the_directory_and_the_fix(self, tmp_path: Path) -> None:
        store = FileStore(tmp_path)
        full = store.explain(OSError(errno.ENOSPC, "No space left on device"))
        assert tmp_path.as_uri() in full and "free disk space" in full
        denied = store.explain(PermissionError(errno.EACCES, "Permission denied"))
        assert tmp_path.as_uri() in denied and "Permission denied" in denied
        assert "fix its permissions" in denied


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640)])
def test_stored_files_get_the_umask_mode(tmp_path: Path, umask: int, mode: int) -> None:
    store = FileStore(tmp_path / "archive")
    source = tmp_path / "src.warc.gz"
    source.write_bytes(b"warc")
    old = os.umask(umask)
    try:
        store.put_file(source, "2026/11/28/a.warc.gz")
        store.put_bytes(b"{}", "m.json")
    finally:
        os.umask(old)
    for key in ("2026/11/28/a.warc.gz", "m.json"):
        assert (tmp_path / "archive" / key).stat().st_mode & 0o777 == mode, key
