"""Rotating "one gzip member per record" files in the spool, with crash recovery and shipping."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import socket
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Protocol

try:  # POSIX: a writer holds an exclusive lock so recovery never touches a live file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
# The uploader skips names with this prefix when it scans `spool/ready/` for leftovers.
TMP_PREFIX = ".nv-tmp-"
OPEN_DIR = "open"
READY_DIR = "ready"
MB = 1024 * 1024

_NAME_RE = re.compile(r"^(?P<prefix>.+)-(?P<ts>\d{14})-(?P<serial>\d{5,})-(?P<host>[^/]+?)\.")
_READ_BLOCK = 1024 * 1024


#: Records at least this long are probed before compressing (see `member_level`).
PROBE_MIN_BYTES = 8 * 1024
_PROBE_BYTES = 4096
#: A probe that deflates to more than this share of its size: the data is compressed already.
_INCOMPRESSIBLE = 0.95


def member_level(data: bytes, level: int = 6) -> int:
    """`level`, or 0 (stored) when the end of `data` does not compress.

    A WARC response record keeps the body as received: mostly gzip or Brotli already,
    which deflate cannot shrink (it gains 0.1% at level 6) but spends as long on as on
    text. Stored deflate blocks make the same valid gzip member with the same bytes
    inside, at almost no CPU. The probe deflates the last 4 KiB (where the payload of a
    record is) at level 1.
    """
    if level == 0 or len(data) < PROBE_MIN_BYTES:
        return level
    probe = data[-_PROBE_BYTES:]
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    packed = len(compressor.compress(probe)) + len(compressor.flush())
    return 0 if packed > _INCOMPRESSIBLE * len(probe) else level


def gzip_member(data: bytes, level: int = 6) -> bytes:
    """Compress `data` as one complete gzip member (no file name, mtime 0)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def iter_members(fh: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Yield (offset, length, decompressed data) of each complete gzip member of `fh`.

    Stops silently at the first incomplete or corrupt member: that is where a writer
    killed mid-record left off.
    """
    offset = 0
    pending = b""
    while True:
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        consumed = 0
        data = pending
        pending = b""
        while True:
            if not data:
                data = fh.read(_READ_BLOCK)
                if not data:
                    return  # EOF inside (or before) a member
            try:
                parts.append(decomp.decompress(data))
            except zlib.error:
                logger.debug("Corrupt gzip member at offset %d", offset)
                return
            if decomp.eof:
                pending = decomp.unused_data
                consumed += len(data) - len(pending)
                break
            consumed += len(data)
            data = b""
        yield offset, consumed, b"".join(parts)
        offset += consumed


def make_file_name(prefix: str, created: datetime, serial: int, host: str, ext: str) -> str:
    """`PREFIX-YYYYMMDDhhmmss-NNNNN-HOST.ext`, the name Heritrix-style tools expect."""
    stamp = created.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    safe_host = re.sub(r"[^A-Za-z0-9.~-]", "-", host) or "localhost"
    return f"{prefix}-{stamp}-{serial:05d}-{safe_host}.{ext.lstrip('.')}"


def name_timestamp(name: str) -> datetime | None:
    """The UTC creation time encoded in a name made by `make_file_name`."""
    match = _NAME_RE.match(name)
    if not match:
        return None
    return datetime.strptime(match["ts"], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def object_key(name: str, created: datetime | None = None) -> str:
    """`{YYYY}/{MM}/{DD}/NAME`, dated by the name's own timestamp so a retry keeps its key."""
    when = name_timestamp(name) or created or datetime.now(timezone.utc)
    return f"{when:%Y/%m/%d}/{name}"


# Serials restart with every process: two runs started in the same second on one host
# (or on two machines with the same name) would otherwise make the same file name, and
# the later file would replace the earlier one in the store. Heritrix adds `~` parts too.
_PROCESS_TAG = secrets.token_hex(3)


def default_host() -> str:
    """The HOST part of file names: the machine's short name and a per-process tag."""
    return f"{socket.gethostname().split('.')[0] or 'localhost'}~{_PROCESS_TAG}"


def file_host(settings: Any) -> str:
    """The HOST part for a crawl: the worker id of a distributed crawl, else the host name.

    A worker id (``ARCHIVE_WORKER_ID``, e.g. ``crawl3-2``) keeps the files of the workers
    of one run apart and says which worker wrote each.
    """
    worker = settings.get("ARCHIVE_WORKER_ID") if settings is not None else None
    return f"{worker}~{_PROCESS_TAG}" if worker else default_host()


@dataclass(frozen=True)
class MemberLocation:
    """Where one record landed: file name (without `.open`), byte offset and length."""

    name: str
    offset: int
    length: int


@dataclass(frozen=True)
class ClosedFile:
    """A complete file still in the open dir, under its `.open` name."""

    path: Path
    name: str
    records: int
    size: int


class _Lock:
    """An advisory exclusive lock held for the life of an open file."""

    @staticmethod
    def acquire(fh: IO[bytes], *, blocking: bool = True) -> bool:
        if fcntl is None:  # pragma: no cover
            return True
        flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
        try:
            fcntl.flock(fh.fileno(), flags)
        except OSError:
            return False
        return True


class MemberFile:
    """One `.open` file: appends gzip members and flushes after each."""

    def __init__(self, path: Path, name: str, *, level: int = 6) -> None:
        self.path = path
        self.name = name
        self.level = level
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: a write that fails (disk full) leaves nothing behind in a buffer
        # for close() to append after the truncation below.
        self._fh: IO[bytes] = open(path, "xb", buffering=0)  # noqa: SIM115 - lives as long as the writer
        _Lock.acquire(self._fh)
        self.size = 0
        self.records = 0

    def write(self, data: bytes) -> MemberLocation:
        member = gzip_member(data, member_level(data, self.level))
        offset = self.size
        try:
            # One write per member, straight to the OS: a kill -9 then loses at most the
            # member being written.
            view = memoryview(member)
            while view:
                written = self._fh.write(view)
                view = view[written or 0 :]
        except OSError:
            # e.g. disk full: cut the partial member, or every later record is unreadable
            with contextlib.suppress(OSError):
                self._fh.seek(offset)
                self._fh.truncate(offset)
            raise
        self.size += len(member)
        self.records += 1
        return MemberLocation(self.name, offset, len(member))

    def close(self) -> ClosedFile:
        if not self._fh.closed:
            try:
                os.fsync(self._fh.fileno())
            finally:
                self._fh.close()
        return ClosedFile(self.path, self.name, self.records, self.size)

    def discard(self) -> None:
        """Close and delete the file (it holds nothing worth keeping)."""
        with contextlib.suppress(OSError):
            self._fh.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


class RotatingMemberWriter:
    """Writes records as gzip members into `open_dir/NAME.open`, rotating by size or count.

    `name_factory(serial, created)` names each file; `header(name)` returns the records
    that start every file (e.g. a warcinfo record); `on_complete(ClosedFile)` receives each
    finished file, closed but still under its `.open` name.
    """

    def __init__(
        self,
        open_dir: Path,
        *,
        name_factory: Callable[[int, datetime], str],
        on_complete: Callable[[ClosedFile], Any],
        max_bytes: int = 0,
        max_records: int = 0,
        header: Callable[[str], Iterable[bytes]] | None = None,
        level: int = 6,
        ready_dir: Path | None = None,
    ) -> None:
        self.open_dir = Path(open_dir)
        # `spool/ready/<store>`: each file's dated directory there is made when the file
        # is opened, so a disk that fills up later cannot keep the file from shipping
        self.ready_dir = ready_dir
        self.name_factory = name_factory
        self.on_complete = on_complete
        self.max_bytes = max_bytes
        self.max_records = max_records
        self.header = header
        self.level = level
        self._serial = 0
        self._current: MemberFile | None = None
        self._header_records = 0

    @property
    def current_name(self) -> str | None:
        return self._current.name if self._current else None

    def _open(self) -> MemberFile:
        while True:
            name = self.name_factory(self._serial, datetime.now(timezone.utc))
            self._serial += 1
            path = self.open_dir / (name + OPEN_SUFFIX)
            if self.ready_dir is not None:
                (self.ready_dir / object_key(name)).parent.mkdir(parents=True, exist_ok=True)
            try:
                current = MemberFile(path, name, level=self.level)
            except FileExistsError:
                continue
            break
        logger.info("Opened %s", path)
        self._header_records = 0
        try:
            if self.header is not None:
                for record in self.header(name):
                    current.write(record)
                    self._header_records += 1
        except OSError:
            current.discard()  # a file without its header (or empty) is no file
            raise
        self._current = current
        return current

    def write_group(self, records: Iterable[bytes], *, rotate: bool = True) -> list[MemberLocation]:
        """Write records that belong together into the same file, then rotate if full.

        With ``rotate=False`` the caller notes where they landed first, then calls
        `rotate_if_full`.
        """
        current = self._current or self._open()
        locations = [current.write(record) for record in records]
        if rotate:
            self.rotate_if_full()
        return locations

    def rotate_if_full(self) -> None:
        if self._current is not None and self._full(self._current):
            self.rotate()

    def write(self, record: bytes) -> MemberLocation:
        return self.write_group([record])[0]

    def _full(self, current: MemberFile) -> bool:
        if self.max_bytes and current.size >= self.max_bytes:
            return True
        data_records = current.records - self._header_records
        return bool(self.max_records and data_records >= self.max_records)

    def rotate(self) -> ClosedFile | None:
        """Close the current file (if any) and hand it to `on_complete`."""
        current, self._current = self._current, None
        if current is None:
            return None
        if current.records == 0:
            current.discard()
            return None
        closed = current.close()
        logger.info("Closed %s (%d records, %d bytes)", closed.name, closed.records, closed.size)
        self.on_complete(closed)
        return closed

    close = rotate


def find_open_files(open_dir: Path, suffix: str) -> list[Path]:
    """`*.open` files under `open_dir` whose final name ends with `suffix` (e.g. `.warc.gz`)."""
    if not Path(open_dir).is_dir():
        return []
    return sorted(Path(open_dir).glob(f"*{suffix}{OPEN_SUFFIX}"))


def recover_file(
    path: Path, *, validate: Callable[[bytes], bool] | None = None
) -> ClosedFile | None:
    """Truncate a crashed `.open` file to its last complete (and valid) member.

    Returns the recovered file, or None if it is locked by a live writer or held no
    complete record (then it is deleted).
    """
    path = Path(path)
    name = path.name.removesuffix(OPEN_SUFFIX)
    with open(path, "r+b") as fh:
        if not _Lock.acquire(fh, blocking=False):
            logger.info("Skipping %s: another process is writing it", path)
            return None
        end = 0
        records = 0
        for offset, length, data in iter_members(fh):
            if validate is not None and not validate(data):
                logger.warning("Invalid record at offset %d of %s; truncating there", offset, path)
                break
            end = offset + length
            records += 1
        size = fh.seek(0, os.SEEK_END)
        if end < size:
            logger.warning(
                "Recovered %s: truncated from %d to %d bytes (%d complete records)",
                path,
                size,
                end,
                records,
            )
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    if records == 0:
        logger.warning("Removing %s: no complete record", path)
        path.unlink()
        return None
    return ClosedFile(path, name, records, end)


def recover_open_files(
    open_dir: Path,
    suffix: str,
    *,
    validate: Callable[[bytes], bool],
    finish: Callable[[ClosedFile], object],
) -> list[ClosedFile]:
    """Recover every crashed `*{suffix}.open` file under `open_dir` and `finish` each one."""
    recovered = []
    for path in find_open_files(open_dir, suffix):
        closed = recover_file(path, validate=validate)
        if closed is None:
            continue
        logger.warning(
            "Recovered %s with %d records from a previous run", closed.name, closed.records
        )
        recovered.append(closed)
        finish(closed)
    return recovered


def move_to_ready(spool: Path, store: str, key: str, src: Path) -> Path:
    """Move `src` to `spool/ready/<store>/<key>` (atomic within one file system)."""
    dest = Path(spool) / READY_DIR / store / key
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dest)
    return dest


def write_atomic(dest: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or chunks of it) to ``dest``: all of it, or nothing."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(TMP_PREFIX + dest.name)
    try:
        with open(tmp, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                fh.writelines(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()  # never a half-written file
        raise


class Shipper(Protocol):
    """Where writers hand finished files: the crawl's Uploader, or the spool alone."""

    def submit(self, local_path: Path, store: str, key: str, *, records: int, kind: str) -> Any: ...


class SpoolOnly:
    """The shipper when no UploadExtension runs: files stay in `spool/ready/` for later."""

    def submit(self, local_path: Path, store: str, key: str, *, records: int, kind: str) -> None:
        logger.info("Ready for upload: %s (%s %s, %d records)", local_path, store, key, records)


def ensure_spool(spool: Path) -> Path:
    path = Path(spool)
    (path / OPEN_DIR).mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        (path / READY_DIR).mkdir(parents=True, exist_ok=True)
    return path
