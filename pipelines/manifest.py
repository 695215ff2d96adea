"""Run manifests: every file a crawl stored, with sizes and checksums, written last."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.storage import (
    ShippedFile,
    StorageError,
    Store,
    Uploader,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
MANIFEST_STORE = "manifests"
SOFTWARE = ("newsvault", "scrapy", "warcio", "trafilatura", "boto3", "botocore")
SOURCE_PREFIX = "newsvault/source/"
#: The manifest's close hook runs after every other (e.g. the state database's).
MANIFEST_HOOK_ORDER = 1000


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYmmddTHHMMSSZ-xxxxxx``: sorts by time, unique across parallel runs."""
    now = now or datetime.now(timezone.utc)
    return f"{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def manifest_key(run_id: str, worker_id: str = "") -> str:
    """``RUN_ID.json``; each worker of a distributed run writes ``RUN_ID~WORKER.json``."""
    return f"{run_id}~{worker_id}.json" if worker_id else f"{run_id}.json"


def software_versions() -> dict[str, str]:
    versions = {}
    for dist in SOFTWARE:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    versions["python"] = platform.python_version()
    return versions


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def source_stats(stats: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``newsvault/source/<name>/<counter>`` stats as ``{name: {counter: value}}``."""
    out: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if not key.startswith(SOURCE_PREFIX):
            continue
        name, sep, counter = key[len(SOURCE_PREFIX) :].partition("/")
        if sep and name and counter:
            out.setdefault(name, {})[counter] = _jsonable(value)
    return {name: dict(sorted(counters.items())) for name, counters in sorted(out.items())}


def build_manifest(
    *,
    run_id: str,
    config_hash: str,
    started: datetime | None,
    finished: datetime | None,
    stats: Mapping[str, Any],
    files: Iterable[ShippedFile],
    stores: Mapping[str, str],
    config_path: str = "",
) -> dict[str, Any]:
    """The manifest document; it never contains credentials (store URIs carry none)."""
    entries = sorted((f.to_dict() for f in files), key=lambda d: (d["store"], d["key"]))
    records: dict[str, int] = {}
    for e in entries:
        if e["kind"]:
            records[e["kind"]] = records.get(e["kind"], 0) + int(e["records"])
    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "config_hash": config_hash,
        "config_path": config_path,
        "software": software_versions(),
        "started": _jsonable(started),
        "finished": _jsonable(finished),
        "written": datetime.now(timezone.utc).isoformat(),
        "finish_reason": _jsonable(stats.get("finish_reason")),
        "stores": dict(sorted(stores.items())),
        "totals": {
            "files": len(entries),
            "bytes": sum(int(e["size"]) for e in entries),
            "pending": sum(1 for e in entries if e["status"] != "uploaded"),
            "records": dict(sorted(records.items())),
        },
        "sources": source_stats(stats),
        "stats": {k: _jsonable(v) for k, v in sorted(stats.items())},
        "files": entries,
    }


# --------------------------------------------------------------------------- verification


def verify_manifest(
    manifest: Mapping[str, Any], stores: Mapping[str, Store], *, deep: bool = False
) -> list[str]:
    """One line per problem: a listed file missing, or with another size or sha256.

    With ``deep`` the content is read back and hashed even where the store keeps the sha256
    as metadata (S3).
    """
    run = manifest.get("run_id", "?")
    problems: list[str] = []
    for entry in manifest.get("files", ()):
        name, key = entry.get("store", ""), entry.get("key", "")
        store = stores.get(name)
        if store is None:
            problems.append(f"{run}: {name}/{key}: no store named {name!r} to check against")
            continue
        uri = store.uri_for(key)
        try:
            info = store.stat(key)
            if info is None:
                hint = " (still in the spool: run `newsvault upload`)"
                problems.append(
                    f"{run}: {uri}: missing{hint if entry.get('status') == 'pending' else ''}"
                )
                continue
            if info.size != entry.get("size"):
                problems.append(f"{run}: {uri}: size {info.size} != {entry.get('size')} listed")
                continue
            sha = store.sha256(key) if deep or not info.sha256 else info.sha256
        except StorageError as exc:
            problems.append(f"{run}: {uri}: {exc}")
            continue
        except Exception as exc:  # an S3 or OS error on one file must not hide the others
            problems.append(f"{run}: {uri}: cannot check: {type(exc).__name__}: {exc}")
            continue
        if sha != entry.get("sha256"):
            problems.append(f"{run}: {uri}: sha256 {sha} != {entry.get('sha256')} listed")
    return problems


def iter_manifests(store: Store, run_id: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, manifest) for each manifest in the store, or just ``run_id``'s (every worker's)."""
    keys = [k for k in store.list() if k.endswith(".json")]
    if run_id:
        keys = [k for k in keys if k == manifest_key(run_id) or k.startswith(f"{run_id}~")]
    for key in sorted(keys):
        yield key, json.loads(store.get_bytes(key))


# --------------------------------------------------------------------------- Scrapy glue


@dataclass(frozen=True)
class ManifestConfig:
    run_id: str
    config_hash: str
    config_path: str
    worker_id: str = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ManifestConfig:
        s = crawler.settings
        run_id = str(s.get("ARCHIVE_RUN_ID") or "")
        if not run_id:
            # The add-on gives every crawl its run id; without it, the manifest still needs one.
            run_id = new_run_id()
            logger.warning("ARCHIVE_RUN_ID is not set (is the newsvault add-on enabled?)")
        return cls(
            run_id=run_id,
            config_hash=str(s.get("ARCHIVE_CONFIG_HASH") or ""),
            config_path=str(s.get("ARCHIVE_CONFIG_PATH") or ""),
            worker_id=str(s.get("ARCHIVE_WORKER_ID") or ""),
        )


class RunManifestExtension:
    """Writes ``RUN_ID.json`` to the manifests store after every other file is shipped.

    Its close hook is registered with the crawl's UploadExtension at ``spider_opened``.
    """

    def __init__(self, crawler: Crawler, config: ManifestConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.started: datetime | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifestExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("ARCHIVE_MANIFEST_ENABLED", True):
            raise NotConfigured("ARCHIVE_MANIFEST_ENABLED is off")
        ext = cls(crawler, ManifestConfig.from_crawler(crawler))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    async def spider_opened(self, spider: Any = None) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import threads

        from pipelines.storage import UploadExtension

        self.started = datetime.now(timezone.utc)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsvault/run_id", self.config.run_id)
        upload = self.crawler.get_extension(UploadExtension)
        if upload is None:
            logger.warning("UploadExtension is not enabled: no run manifest will be written")
            return
        uploader = upload.uploader
        uploader.add_close_hook(self.write, order=MANIFEST_HOOK_ORDER)
        if not await upload.wait_checked():
            return
        # a run killed before its manifest left a journal of what it stored
        await maybe_deferred_to_future(
            threads.deferToThread(recover_manifests, uploader, f"run {self.config.run_id}")
        )
        # RUN_ID~WORKER for a worker of a distributed run: its recovery manifest is its own
        uploader.journal_run_id = manifest_key(self.config.run_id, self.config.worker_id)[:-5]

    def build(self, uploader: Uploader) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats is not None else {}
        started = stats.get("start_time") or self.started
        finished = stats.get("finish_time") or datetime.now(timezone.utc)
        with_pending = list(uploader.shipped) + uploader.pending_details()
        doc = build_manifest(
            run_id=self.config.run_id,
            config_hash=self.config.config_hash,
            config_path=self.config.config_path,
            started=started,
            finished=finished,
            stats=stats,
            files=with_pending,
            stores={name: store.describe() for name, store in uploader.stores.items()},
        )
        if self.config.worker_id:
            doc["worker_id"] = self.config.worker_id  # one of several manifests of the run
        return doc

    def write(self, uploader: Uploader) -> Path:
        """Close hook: runs in an uploader thread after every other file has been tried."""
        path = submit_manifest(uploader, self.build(uploader))
        uploader.end_journal()
        return path


def recover_manifests(uploader: Uploader, by: str) -> list[str]:
    """Write the manifest of every run that died after storing files; returns their run ids.

    A run journals each file it stores (``spool/journal/RUN_ID.jsonl``) and removes the
    journal once its own manifest is written, so a journal left behind (the spool is
    locked by one process at a time) is a run killed before its manifest. Its recovery
    manifest, ``RUN_ID.json`` like any other (``RUN_ID~WORKER.json`` from a worker's
    ``RUN_ID~WORKER.jsonl``), lists what the journal names and says which run recovered
    it, so ``newsvault verify`` covers every stored file.
    """
    from pipelines.storage.uploader import JOURNAL_DIR, ShippedFile

    journal_dir = uploader.spool / JOURNAL_DIR
    if not journal_dir.is_dir():
        return []
    recovered = []
    for path in sorted(journal_dir.glob("*.jsonl")):
        if path.stem == uploader.journal_run_id:
            continue
        run_id, _, worker_id = path.stem.partition("~")  # a worker of a distributed run
        files: dict[tuple[str, str], ShippedFile] = {}
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    entry = ShippedFile(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # the line a kill cut short
                files[(entry.store, entry.key)] = entry
        key = manifest_key(run_id, worker_id)
        store = uploader.stores[MANIFEST_STORE]
        already = uploader.ready_path(MANIFEST_STORE, key).exists() or store.exists(key)
        if files and not already:
            doc = build_manifest(
                run_id=run_id,
                config_hash="",
                started=None,
                finished=None,
                stats={"finish_reason": "killed"},
                files=files.values(),
                stores={name: s.describe() for name, s in uploader.stores.items()},
            )
            if worker_id:
                doc["worker_id"] = worker_id
            doc["recovered"] = {
                "by": by,
                "at": datetime.now(timezone.utc).isoformat(),
                "why": "the run ended without writing its manifest (killed or crashed); "
                "this lists the files it had stored",
            }
            submit_manifest(uploader, doc)
            logger.warning(
                "Run %s ended without its manifest; wrote a recovery manifest listing the "
                "%d file(s) it stored",
                run_id,
                len(files),
            )
            recovered.append(run_id)
        path.unlink()
    return recovered


def submit_manifest(uploader: Uploader, doc: Mapping[str, Any]) -> Path:
    """Write ``doc`` durably to the spool and queue it as ``RUN_ID.json`` in the manifests store."""
    run_id = str(doc["run_id"])
    key = manifest_key(run_id, str(doc.get("worker_id") or ""))
    open_dir = uploader.spool / "open"
    open_dir.mkdir(parents=True, exist_ok=True)
    tmp = open_dir / f"{key}.open"
    data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        # a full spool must not cost the manifest: it goes to the store directly
        with contextlib.suppress(OSError):
            tmp.unlink()
        store = uploader.stores[MANIFEST_STORE]
        logger.warning("Cannot write %s (%s); storing the manifest directly", tmp, exc.strerror)
        store.put_bytes(data, key)
        logger.info("Run manifest %s lists %d file(s)", store.uri_for(key), len(doc["files"]))
        return tmp
    path = uploader.submit(tmp, MANIFEST_STORE, key, records=len(doc["files"]), kind="manifest")
    logger.info(
        "Run manifest %s lists %d file(s)",
        uploader.stores[MANIFEST_STORE].uri_for(key),
        len(doc["files"]),
    )
    return path
