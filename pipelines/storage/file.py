"""``file://`` URIs and plain paths: a directory on a local (or mounted) file system."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pipelines.storage.base import (
    CHUNK,
    TMP_PREFIX,
    ObjectNotFoundError,
    StorageConfigError,
    StoredObject,
    StoreUnavailableError,
    UploadVerificationError,
    file_sha256,
    probe_writable,
    validate_key,
)


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (upload threads race)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no /proc: set it and straight back
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    # Makes a rename durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- file://


class FileStore:
    """A directory on a local (or mounted) file system; every write is atomic."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().absolute()

    @classmethod
    def from_uri(cls, uri: str, options: Any = None) -> FileStore:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise StorageConfigError(
                    f"storage URI {uri!r} names host {parts.netloc!r}: use file:///absolute/path "
                    "(three slashes) or a plain path"
                )
            if parts.query or parts.fragment:
                raise StorageConfigError(
                    f"storage URI {uri!r} has a query or fragment: use file:///absolute/path"
                )
            path = unquote(parts.path)
            if not path:
                raise StorageConfigError(f"storage URI {uri!r} has no path: use file:///abs/path")
            return cls(path)
        if not uri.strip():
            raise StorageConfigError("storage URI is empty: give a path or s3://bucket/prefix")
        return cls(uri)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def describe(self) -> str:
        return self.root.as_uri()

    def uri_for(self, key: str) -> str:
        return self._path(key).as_uri()

    def check(self, create: bool = False) -> None:
        # A local archive directory is always created: a fresh checkout must work as is.
        try:
            probe_writable(self.root)
        except OSError as exc:
            raise StoreUnavailableError(self.explain(exc)) from None

    def explain(self, exc: BaseException) -> str:
        """One sentence naming this store, what went wrong and the fix."""
        where = self.describe()
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return (
                f"no space left for archive directory {where}: free disk space "
                "or point the storage setting elsewhere"
            )
        if isinstance(exc, OSError) and exc.errno is not None:
            return (
                f"cannot write to archive directory {where} ({exc.strerror or exc}): "
                "fix its permissions or point the storage setting elsewhere"
            )
        return (
            f"archive directory {where} failed: {type(exc).__name__}: {exc}: "
            "check the directory and its file system"
        )

    def _atomic_write(self, key: str, write: Callable[[Any], None]) -> Path:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=target.parent)
        try:
            # mkstemp creates 0600 files; archive files get the umask's mode like any other.
            os.fchmod(fd, 0o666 & ~current_umask())
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
        return target

    def put_file(self, local_path: Path, key: str) -> StoredObject:
        h = hashlib.sha256()
        size = 0

        def copy(out: Any) -> None:
            nonlocal size
            with open(local_path, "rb") as src:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    h.update(chunk)
                    size += len(chunk)
                    out.write(chunk)

        target = self._atomic_write(key, copy)
        stored = target.stat().st_size
        if stored != size:
            raise UploadVerificationError(
                f"{self.uri_for(key)}: wrote {size} bytes but the file has {stored}"
            )
        return StoredObject(key, size, h.hexdigest())

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        self._atomic_write(key, lambda out: out.write(data))
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest())

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def sha256(self, key: str) -> str:
        try:
            return file_sha256(self._path(key))
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            return StoredObject(key, path.stat().st_size, file_sha256(path))
        except FileNotFoundError:
            return None

    def list(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                if name.startswith(TMP_PREFIX):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix):
                    yield key

    def read_range(self, key: str, start: int, length: int) -> bytes:
        if start < 0 or length < 0:
            raise ValueError(f"invalid byte range start={start} length={length}")
        if length == 0:
            return b""
        try:
            with open(self._path(key), "rb") as f:
                f.seek(start)
                return f.read(length)
        except FileNotFoundError:
            raise ObjectNotFoundError(self.uri_for(key)) from None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()
