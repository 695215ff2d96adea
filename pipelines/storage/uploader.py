"""The background uploader: ships finished spool files to their stores in threads (one concern)."""

from __future__ import annotations

import contextlib
import errno
import heapq
import itertools
import json
import logging
import os
import random
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.config import DEFAULT_SETTINGS
from pipelines.storage.base import (
    TMP_PREFIX,
    Store,
    StoreUnavailableError,
    UploadVerificationError,
    file_sha256,
    option,
    probe_writable,
    scrub_secrets,
    validate_key,
)
from pipelines.storage.registry import store_from_uri, store_uris

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

JOURNAL_DIR = "journal"


@dataclass(frozen=True)
class UploaderConfig:
    """How the uploader runs; built from ``ARCHIVE_STORAGE_*`` and ``ARCHIVE_UPLOAD_*``."""

    spool: Path
    stores: Mapping[str, str]
    workers: int = DEFAULT_SETTINGS["ARCHIVE_UPLOAD_WORKERS"]
    close_timeout: float = DEFAULT_SETTINGS["ARCHIVE_UPLOAD_CLOSE_TIMEOUT"]
    retry_base: float = DEFAULT_SETTINGS["ARCHIVE_UPLOAD_RETRY_BASE"]
    retry_max: float = DEFAULT_SETTINGS["ARCHIVE_UPLOAD_RETRY_MAX"]
    create_bucket: bool = DEFAULT_SETTINGS["ARCHIVE_STORAGE_CREATE_BUCKET"]

    @classmethod
    def from_settings(cls, settings: Any) -> UploaderConfig:
        def number(name: str) -> float:
            return float(option(settings, name))

        create = option(settings, "ARCHIVE_STORAGE_CREATE_BUCKET")
        if isinstance(create, str):
            create = create.strip().lower() in ("1", "true", "yes", "on")
        return cls(
            spool=Path(str(option(settings, "ARCHIVE_STORAGE_SPOOL"))),
            stores=store_uris(settings),
            workers=max(1, int(number("ARCHIVE_UPLOAD_WORKERS"))),
            close_timeout=number("ARCHIVE_UPLOAD_CLOSE_TIMEOUT"),
            retry_base=number("ARCHIVE_UPLOAD_RETRY_BASE"),
            retry_max=number("ARCHIVE_UPLOAD_RETRY_MAX"),
            create_bucket=bool(create),
        )


@dataclass(frozen=True)
class ShippedFile:
    """A file of this run: uploaded, or still waiting in the spool."""

    store: str
    key: str
    uri: str
    size: int
    sha256: str
    records: int = 0
    kind: str = ""
    status: str = "uploaded"  # or "pending"

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "key": self.key,
            "uri": self.uri,
            "size": self.size,
            "sha256": self.sha256,
            "records": self.records,
            "kind": self.kind,
            "status": self.status,
        }


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    store: str = field(compare=False)
    key: str = field(compare=False)
    attempts: int = field(default=0, compare=False)


class Uploader:
    """Ships files from ``spool/ready/<store>/<key>`` to ``<store-uri>/<key>`` in threads.

    A file is deleted locally only after the stored copy's size and sha256 match, so a crash,
    a dead store or a timeout at close leave it in the spool for the next run or
    ``newsvault upload``; the key is fixed by the path, so it is never stored twice under two
    names.
    """

    def __init__(
        self,
        config: UploaderConfig,
        *,
        stores: Mapping[str, Store] | None = None,
        store_options: Any = None,
        stats: Any = None,
    ) -> None:
        self.config = config
        self.spool = Path(config.spool)
        self.ready_dir = self.spool / "ready"
        self.meta_dir = self.spool / "meta"
        if stores is None:
            stores = {
                name: store_from_uri(uri, store_options) for name, uri in config.stores.items()
            }
        self.stores: dict[str, Store] = dict(stores)
        self.stats = stats
        self.shipped: list[ShippedFile] = []
        self._cond = threading.Condition()
        self._stats_lock = threading.Lock()
        self._heap: list[_Job] = []
        self._queued: set[tuple[str, str]] = set()
        self._active = 0
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._deadline: float | None = None
        self._close_hooks: list[tuple[int, int, Callable[[Uploader], object]]] = []
        self.started_at: datetime | None = None
        #: "new" until the spider opens, then "running" or "failed" (stores unusable).
        self.state = "new"
        self._lock_file: Any = None
        #: The run whose uploads are journaled in ``spool/journal/RUN_ID.jsonl`` until its
        #: manifest is written: a run killed before that leaves the journal, from which
        #: the next run (or ``newsvault upload``) writes the manifest it never wrote.
        self.journal_run_id = ""

    # -- public API --------------------------------------------------------------

    def add_close_hook(self, hook: Callable[[Uploader], object], *, order: int = 0) -> None:
        """Run ``hook(uploader)`` at close, after the first drain; it may submit more files.

        Hooks run by ascending ``order`` (then registration); the uploads each order's hooks
        submit are drained before the next order runs, so the run manifest (order 1000)
        lists everything, the state database included.
        """
        self._close_hooks.append((order, len(self._close_hooks), hook))

    def check(self, create: bool = False) -> None:
        """Probe the spool and every store once; raise StoreUnavailableError in one line.

        Also takes the spool's lock (until :meth:`stop`): two processes shipping one spool
        could store an older copy of a file over a newer one.
        """
        try:
            probe_writable(self.ready_dir)
        except OSError as exc:
            raise StoreUnavailableError(
                f"cannot write to the spool {self.spool} ({exc.strerror or exc}): "
                "fix its permissions or set storage.spool (ARCHIVE_STORAGE_SPOOL) elsewhere"
            ) from None
        self._lock_spool()
        probed: set[str] = set()
        for store in self.stores.values():
            where = store.describe()
            if where not in probed:
                probed.add(where)
                store.check(create=create)

    def _lock_spool(self) -> None:
        if self._lock_file is not None:
            return
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks
            return
        fh = open(self.spool / "upload.lock", "a+")  # noqa: SIM115 - held until stop()
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreUnavailableError(
                f"the spool {self.spool} is in use by another newsvault process (a crawl or "
                "`newsvault upload`): wait for it to finish or give this run its own storage.spool"
            ) from None
        self._lock_file = fh

    def _unlock_spool(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing releases the flock
            self._lock_file = None

    def start(self) -> None:
        """Start the worker threads (idempotent)."""
        with self._cond:
            if self._threads:
                return
            self._stopping = False
            self.started_at = datetime.now(timezone.utc)
            for i in range(self.config.workers):
                t = threading.Thread(target=self._work, name=f"newsvault-upload-{i}", daemon=True)
                self._threads.append(t)
                t.start()

    def ready_path(self, store: str, key: str) -> Path:
        return self.ready_dir / store / Path(*validate_key(key).split("/"))

    def _meta_path(self, store: str, key: str) -> Path:
        # Sidecar with the record count and kind, so a later run can describe a leftover.
        path = self.meta_dir / store / Path(*validate_key(key).split("/"))
        return path.with_name(path.name + ".json")

    def submit(
        self, local_path: Path, store: str, key: str, *, records: int = 0, kind: str = ""
    ) -> Path:
        """Queue a finished file for upload to ``<store>/<key>``; returns its spool path.

        The file is moved to ``spool/ready/<store>/<key>`` unless it is already there. Cheap
        enough for the reactor thread when the file is on the spool's file system.
        """
        if store not in self.stores:
            raise ValueError(f"unknown store {store!r}: one of {', '.join(sorted(self.stores))}")
        target = self.ready_path(store, key)
        # The sidecar goes first: a worker may pick the file up the moment it is in ready/.
        meta = self._meta_path(store, key)
        if records or kind:
            try:
                meta.parent.mkdir(parents=True, exist_ok=True)
                meta.write_text(json.dumps({"records": records, "kind": kind}))
            except OSError as exc:  # a full spool: the file matters, its description less
                logger.debug("Cannot write %s: %s", meta, exc)
                with contextlib.suppress(OSError):
                    meta.unlink()
        src = Path(local_path)
        if src.absolute() != target.absolute():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                logger.warning("Replacing %s, which was still waiting for upload", target)
            try:
                os.replace(src, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                shutil.move(str(src), str(target))
        self._enqueue(store, key)
        return target

    def enqueue_pending(self) -> int:
        """Queue every file already in ``spool/ready`` (left by a crash or a dead store)."""
        n = 0
        for store, key in self.pending_files():
            if store not in self.stores:
                logger.warning("Ignoring %s: no store named %r", self.ready_dir / store, store)
                continue
            if self._enqueue(store, key):
                n += 1
        return n

    def pending_files(self) -> list[tuple[str, str]]:
        """(store, key) of every file waiting in ``spool/ready``."""
        found: list[tuple[str, str]] = []
        if not self.ready_dir.is_dir():
            return found
        for store_dir in sorted(p for p in self.ready_dir.iterdir() if p.is_dir()):
            for dirpath, dirnames, filenames in os.walk(store_dir):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.startswith(TMP_PREFIX):
                        continue
                    rel = (Path(dirpath) / name).relative_to(store_dir).as_posix()
                    found.append((store_dir.name, rel))
        return found

    def pending_details(self) -> list[ShippedFile]:
        """The files still in the spool, described like shipped ones with status "pending"."""
        out = []
        for store, key in self.pending_files():
            path = self.ready_path(store, key)
            records, kind = self._read_meta(store, key)
            try:
                size, sha = path.stat().st_size, file_sha256(path)
            except FileNotFoundError:
                continue  # uploaded meanwhile
            uri = self.stores[store].uri_for(key) if store in self.stores else ""
            out.append(ShippedFile(store, key, uri, size, sha, records, kind, "pending"))
        return out

    def queued(self) -> int:
        """Files waiting for upload or uploading now (cheap: for progress lines)."""
        with self._cond:
            return len(self._heap) + self._active

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or uploading; False if ``timeout`` passed first."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._heap or self._active:
                remaining = None if end is None else end - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is not None else 1.0)
            return True

    def finish(self, timeout: float | None = None) -> list[ShippedFile]:
        """Drain (retrying for at most ``timeout`` s), run close hooks, drain, stop.

        Returns the files left in the spool; they are uploaded by the next run or by
        ``newsvault upload``.
        """
        timeout = self.config.close_timeout if timeout is None else timeout
        self.start()
        self._set_deadline(time.monotonic() + timeout)
        self.drain(timeout)
        # Files submitted by hooks (state, run manifest) get a short extra budget of their own.
        extra = min(max(timeout, 1.0), 30.0)
        hooks = sorted(self._close_hooks, key=lambda h: (h[0], h[1]))
        for order in sorted({h[0] for h in hooks}):
            for _, _, hook in (h for h in hooks if h[0] == order):
                try:
                    hook(self)
                except Exception:
                    logger.exception("Upload close hook %r failed", hook)
            self._set_deadline(max(self._deadline or 0.0, time.monotonic() + extra))
            self.drain(extra)
        self.stop()
        self._prune_empty_dirs(self.ready_dir)
        self._prune_empty_dirs(self.meta_dir)
        pending = self.pending_details()
        self._set_stat("newsvault/upload/pending", len(pending))
        if pending:
            logger.warning(
                "%d file(s) not uploaded; they stay in %s for the next run or `newsvault upload`",
                len(pending),
                self.ready_dir,
            )
        else:
            logger.info("All %d file(s) uploaded", len(self.shipped))
        return pending

    def stop(self, join_timeout: float = 30.0) -> None:
        """Stop the workers after their current upload."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        end = time.monotonic() + join_timeout
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))
        with self._cond:
            # A job that failed while the close budget ran out is back in the heap after the
            # workers stopped looking: it is given up too.
            for _ in self._heap:
                self._inc("newsvault/upload/failures")
            self._heap.clear()
            self._queued.clear()
            self._threads = []
        self._unlock_spool()

    # -- internals ---------------------------------------------------------------

    def _set_deadline(self, deadline: float) -> None:
        with self._cond:
            self._deadline = deadline
            self._cond.notify_all()

    def _enqueue(
        self, store: str, key: str, *, due: float | None = None, attempts: int = 0
    ) -> bool:
        with self._cond:
            if (store, key) in self._queued:
                return False
            self._queued.add((store, key))
            job = _Job(time.monotonic() if due is None else due, next(self._seq), store, key)
            job.attempts = attempts
            heapq.heappush(self._heap, job)
            self._cond.notify()
            return True

    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._heap and self._deadline is not None and self._heap[0].due > self._deadline:
                    # Past the close budget: leave the rest in the spool.
                    for job in self._heap:
                        self._queued.discard((job.store, job.key))
                        self._inc("newsvault/upload/failures")
                    self._heap.clear()
                    self._cond.notify_all()
                    continue
                if self._heap and self._heap[0].due <= now:
                    self._active += 1
                    return heapq.heappop(self._heap)
                wait = self._heap[0].due - now if self._heap else None
                self._cond.wait(wait)
            return None

    def _work(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                return
            ok = False
            try:
                ok = self._upload(job)
            except Exception as exc:
                self._retry(job, exc)
            finally:
                with self._cond:
                    self._active -= 1
                    if ok:
                        self._queued.discard((job.store, job.key))
                    self._cond.notify_all()

    def _retry(self, job: _Job, exc: Exception) -> None:
        job.attempts += 1
        delay = min(self.config.retry_max, self.config.retry_base * 2 ** (job.attempts - 1))
        delay *= random.uniform(0.8, 1.2)
        store = self.stores[job.store]
        reason = scrub_secrets(f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(Exception):  # a broken explain() must not stop the worker
            reason = store.explain(exc)
        # While a store is down every file fails every time: warn on the first failures only.
        level = logging.WARNING if job.attempts <= 2 or job.attempts % 10 == 0 else logging.INFO
        logger.log(
            level,
            "Upload of %s failed (attempt %d), retrying in %.1fs: %s",
            store.uri_for(job.key),
            job.attempts,
            delay,
            reason,
        )
        self._inc("newsvault/upload/retries")
        with self._cond:
            job.due = time.monotonic() + delay
            job.seq = next(self._seq)
            heapq.heappush(self._heap, job)

    def _read_meta(self, store: str, key: str) -> tuple[int, str]:
        try:
            meta = json.loads(self._meta_path(store, key).read_text())
            return int(meta.get("records", 0)), str(meta.get("kind", ""))
        except (OSError, ValueError):
            return 0, ""

    def _upload(self, job: _Job) -> bool:
        store = self.stores[job.store]
        path = self.ready_path(job.store, job.key)
        if not path.exists():
            return True  # shipped by a concurrent `newsvault upload`
        before = path.stat()
        size = before.st_size
        sha = file_sha256(path)
        existing = store.stat(job.key)
        if existing is not None and existing.size == size and existing.sha256 == sha:
            # Uploaded before a crash deleted the local copy: do not upload it again.
            self._inc("newsvault/upload/already_stored")
            logger.info("%s is already stored", store.uri_for(job.key))
        else:
            stored = store.put_file(path, job.key)
            if stored.size != size or stored.sha256 != sha:
                raise UploadVerificationError(
                    f"{store.uri_for(job.key)} changed during upload: fix the producer"
                )
            self._inc("newsvault/upload/files")
            self._inc("newsvault/upload/bytes", size)
        after = path.stat()
        if (after.st_ino, after.st_size, after.st_mtime_ns) != (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        ):
            # Replaced by a new submit while uploading: ship the new content too.
            raise UploadVerificationError(f"{path} changed during upload; uploading it again")
        records, kind = self._read_meta(job.store, job.key)
        shipped = ShippedFile(job.store, job.key, store.uri_for(job.key), size, sha, records, kind)
        with self._cond:
            self.shipped.append(shipped)
            self._journal(shipped)
        path.unlink()
        with contextlib.suppress(OSError):
            self._meta_path(job.store, job.key).unlink()
        # Empty day directories are pruned at finish(), not here: a producer may be
        # creating one of them right now to move its next finished file in.
        logger.debug("Uploaded %s (%d bytes)", shipped.uri, size)
        return True

    def journal_path(self, run_id: str) -> Path:
        return self.spool / JOURNAL_DIR / f"{run_id}.jsonl"

    def _journal(self, shipped: ShippedFile) -> None:
        if not self.journal_run_id or shipped.kind == "manifest":
            return
        path = self.journal_path(self.journal_run_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(shipped.to_dict(), sort_keys=True) + "\n")
        except OSError as exc:  # the manifest at close lists the file all the same
            logger.debug("Cannot journal %s: %s", shipped.uri, exc)

    def end_journal(self) -> None:
        """The run's manifest is written: its journal is no longer needed."""
        if self.journal_run_id:
            with contextlib.suppress(OSError):
                self.journal_path(self.journal_run_id).unlink()

    @staticmethod
    def _prune_empty_dirs(root: Path) -> None:
        """Remove empty directories below ``root`` (day folders of shipped files)."""
        if not root.is_dir():
            return
        for dirpath, _dirnames, _filenames in sorted(os.walk(root), reverse=True):
            if Path(dirpath) != root:
                with contextlib.suppress(OSError):
                    Path(dirpath).rmdir()

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            with self._stats_lock:
                self.stats.inc_value(key, count)

    def _set_stat(self, key: str, value: Any) -> None:
        if self.stats is not None:
            with self._stats_lock:
                self.stats.set_value(key, value)
