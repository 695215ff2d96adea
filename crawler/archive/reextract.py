"""Rebuild article JSON from an archive's WARCs with the current extractor, in a process pool.

The articles re-extracted are those the runs published (their JSON names the WARC records);
each is read from the WARC with the discovery hints of its metadata record, extracted by the
crawl's own worker function, and written with provenance pointing into the original WARCs,
under a run id and manifest of its own. An article over several pages waits for the
responses of its further pages (its JSON lists their URLs) and is extracted with them.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crawler.archive.catalog import Archive, ArchiveFile, Run
from crawler.archive.download import download_file
from crawler.archive.export import iter_articles
from crawler.archive.warcscan import scan
from crawler.extract import (
    EXTRACTOR_NAME,
    ExtractionOptions,
    extractor_version,
    worker_extract,
    worker_extract_pages,
    worker_init,
    worker_ready,
)
from crawler.items import Article, Provenance

logger = logging.getLogger(__name__)

SHARD_RECORDS = 50_000
_CHARSET = re.compile(r"charset\s*=\s*['\"]?([\w.:-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Wanted:
    """What the original JSON said about one article record."""

    source: str
    fetched_at: str
    offset: int | None
    length: int | None
    # a multi-page article's further pages (url, kind) in order, and the ones it lacked
    parts: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()


@dataclass
class Outcome:
    run_id: str
    articles: int = 0
    no_text: int = 0
    errors: list[str] = field(default_factory=list)
    missing: int = 0
    files: list[Path] = field(default_factory=list)
    manifest: Path | None = None


def wanted_records(archive: Archive, runs: Sequence[Run]) -> dict[str, dict[str, Wanted]]:
    """WARC file name -> record id -> the original article's source and fetch time."""
    out: dict[str, dict[str, Wanted]] = {}
    for article in iter_articles(archive, runs):
        prov = article.get("provenance") or {}
        if prov.get("warc_file") and prov.get("record_id"):
            out.setdefault(str(prov["warc_file"]), {})[str(prov["record_id"])] = Wanted(
                source=str(article.get("source") or ""),
                fetched_at=str(article.get("fetched_at") or prov.get("fetched_at") or ""),
                offset=prov.get("offset"),
                length=prov.get("length"),
                parts=(
                    *((str(u), "text") for u in (article.get("pages") or [])[1:]),
                    *((str(u), "comments") for u in article.get("comment_pages") or ()),
                ),
                missing=tuple(str(u) for u in article.get("missing_pages") or ()),
            )
    return out


def hints_of(metadata_payload: bytes) -> dict[str, Any]:
    """The discovery hints a metadata record keeps (`discovery: {json}`)."""
    for line in metadata_payload.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(": ")
        if name == "discovery":
            try:
                hints = json.loads(value)
            except ValueError:
                return {}
            return hints if isinstance(hints, dict) else {}
    return {}


class ShardWriter:
    """gzip JSON Lines shards under ``dest/json/YYYY/MM/DD/``, renamed into place when complete."""

    def __init__(self, dest: Path, run_id: str, host: str = "reextract") -> None:
        self.dest, self.run_id, self.host = dest, run_id, host
        self.serial = 0
        self.count = 0
        self.files: list[tuple[Path, int]] = []
        self._fh: Any = None
        self._path: Path | None = None
        self.stamp = datetime.now(timezone.utc)

    def key(self) -> str:
        s = self.stamp
        return (
            f"{s:%Y/%m/%d}/reextract-{s:%Y%m%d%H%M%S}-{self.serial:05d}-{self.run_id[-6:]}.jsonl.gz"
        )

    def write(self, obj: dict[str, Any]) -> None:
        if self._fh is None:
            self._path = self.dest / "json" / self.key()
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = gzip.open(str(self._path) + ".part", "wt", encoding="utf-8", compresslevel=5)  # noqa: SIM115 (a shard stays open across writes)
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.count += 1
        if self.count >= SHARD_RECORDS:
            self.close()

    def close(self) -> None:
        if self._fh is None or self._path is None:
            return
        self._fh.close()
        os.replace(str(self._path) + ".part", self._path)
        self.files.append((self._path, self.count))
        self._fh, self._path, self.count = None, None, 0
        self.serial += 1

    def discard(self) -> None:
        if self._fh is not None and self._path is not None:
            self._fh.close()
            Path(str(self._path) + ".part").unlink(missing_ok=True)
        for path, _ in self.files:
            path.unlink(missing_ok=True)


def _charset(record: Any) -> str | None:
    match = _CHARSET.search(record.http_header("Content-Type") or "")
    return match[1] if match else None


def reextract(
    archive: Archive,
    runs: Sequence[Run],
    dest: Path,
    *,
    workers: int,
    options: ExtractionOptions | None = None,
    reader: str | None = None,
    progress: Callable[[int], None] | None = None,
    workdir: Path,
) -> Outcome:
    """Re-extract the runs' articles into ``dest`` (json/ and manifests/)."""
    from pipelines.manifest import build_manifest, new_run_id
    from pipelines.storage import ShippedFile, file_sha256

    options = options or ExtractionOptions()
    run_id = new_run_id()
    outcome = Outcome(run_id)
    started = datetime.now(timezone.utc)
    pool = ProcessPoolExecutor(max_workers=max(1, workers), initializer=worker_init)
    # the workers start (and warm up) while the articles' JSON is read
    for _ in range(max(1, workers)):
        pool.submit(worker_ready)
    try:
        wanted = wanted_records(archive, runs)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    total = sum(len(v) for v in wanted.values())
    version = extractor_version()
    settings_hash = options.settings_hash()
    writer = ShardWriter(dest, run_id)
    per_source: dict[str, int] = {}
    inflight: deque[tuple[Future[dict[str, Any]], dict[str, Any]]] = deque()

    def collect(fut: Future[dict[str, Any]], meta: dict[str, Any]) -> None:
        try:
            extracted = fut.result()
        except Exception as exc:
            outcome.errors.append(f"{meta['url']}: {type(exc).__name__}: {exc}")
            return
        if progress:
            progress(1)
        if not extracted.get("text"):
            outcome.no_text += 1
            return
        provenance = Provenance(
            run_id=run_id,
            warc_file=meta["warc_file"],
            record_id=meta["record_id"],
            offset=meta["offset"],
            length=meta["length"],
            warc_date=meta["warc_date"],
            payload_digest=meta["payload_digest"],
            fetched_at=meta["fetched_at"],
            extractor=EXTRACTOR_NAME,
            extractor_version=version,
            settings_hash=settings_hash,
        )
        article = Article.from_extracted(
            extracted, source=meta["source"], fetched_at=meta["fetched_at"], provenance=provenance
        )
        writer.write(article.to_dict())
        outcome.articles += 1
        per_source[meta["source"]] = per_source.get(meta["source"], 0) + 1

    warcs: list[ArchiveFile] = [
        f for run in runs for f in run.files_of("warc") if f.key.rsplit("/", 1)[-1] in wanted
    ]
    # articles in flight: enough that one slow page never leaves the other workers idle
    # while the oldest result is awaited (results are collected in order)
    limit = 16 * max(1, workers)
    # further pages of multi-page articles: how many articles still need each URL, the
    # bodies read so far, and the articles waiting for theirs
    needed: dict[str, int] = {}
    for records in wanted.values():
        for want in records.values():
            for url, _kind in want.parts:
                needed[url] = needed.get(url, 0) + 1
    bodies: dict[str, tuple[bytes, str | None]] = {}
    held: dict[str, tuple[dict[str, Any], bytes, str | None, dict[str, Any], Wanted]] = {}

    def send(
        meta: dict[str, Any],
        body: bytes,
        charset: str | None,
        hints: dict[str, Any],
        want: Wanted,
        final: bool = False,
    ) -> bool:
        """Extract the article, unless further pages it needs are still to be read."""
        if not want.parts:
            fut = pool.submit(worker_extract, body, meta["url"], charset, options, hints)
        else:
            found = [(u, kind, *bodies[u]) for u, kind in want.parts if u in bodies]
            if len(found) < len(want.parts) and not final:
                return False
            missing = [*want.missing, *(u for u, _ in want.parts if u not in bodies)]
            fut = pool.submit(
                worker_extract_pages, body, meta["url"], charset, options, hints, found, missing
            )
            for url, _kind in want.parts:
                needed[url] -= 1
                if needed[url] <= 0:
                    bodies.pop(url, None)
        inflight.append((fut, meta))
        while len(inflight) >= limit:
            collect(*inflight.popleft())
        return True

    def release(final: bool = False) -> None:
        for rid in list(held):
            if send(*held[rid], final=final):
                del held[rid]

    try:
        for file in warcs:
            records = wanted[file.key.rsplit("/", 1)[-1]]
            local = download_file(archive, file, workdir).path
            pending: dict[str, tuple[Any, Wanted]] = {}

            def submit(
                record: Any, want: Wanted, hints: dict[str, Any], name: str = file.key
            ) -> None:
                meta = {
                    "url": record.target_uri,
                    "warc_file": name.rsplit("/", 1)[-1],
                    "record_id": record.record_id,
                    "offset": want.offset,
                    "length": want.length,
                    "warc_date": record.warc_date,
                    "payload_digest": record.warc_header("WARC-Payload-Digest"),
                    "fetched_at": want.fetched_at,
                    "source": want.source,
                }
                body, charset = record.decoded_payload(), _charset(record)
                if not send(meta, body, charset, hints, want):
                    held[str(record.record_id)] = (meta, body, charset, hints, want)

            for record in scan(local, reader):
                rid = record.record_id or ""
                url = record.target_uri or ""
                if record.rec_type == "response" and needed.get(url, 0) > 0:
                    bodies[url] = (record.decoded_payload(), _charset(record))
                    release()
                if record.rec_type == "metadata":
                    parent = record.warc_header("WARC-Concurrent-To") or ""
                    if parent in pending:
                        rec, want = pending.pop(parent)
                        submit(rec, want, hints_of(record.payload))
                elif rid in records:
                    # a metadata record with its discovery hints follows the response
                    pending[rid] = (record, records[rid])
            for rec, want in pending.values():
                submit(rec, want, {})
            local.unlink(missing_ok=True)  # a temporary copy in workdir
        release(final=True)  # whatever pages were found: the rest are missing
        while inflight:
            collect(*inflight.popleft())
        writer.close()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        writer.discard()
        raise
    pool.shutdown()
    outcome.missing = max(0, total - outcome.articles - outcome.no_text - len(outcome.errors))
    finished = datetime.now(timezone.utc)
    shipped = [
        ShippedFile(
            store="json",
            key=path.relative_to(dest / "json").as_posix(),
            uri=path.as_uri(),
            size=path.stat().st_size,
            sha256=file_sha256(path),
            records=count,
            kind="jsonl",
        )
        for path, count in writer.files
    ]
    stats: dict[str, Any] = {f"newsvault/source/{s}/articles": n for s, n in per_source.items()}
    stats.update(
        {
            "newsvault/reextract/articles": outcome.articles,
            "newsvault/reextract/no_text": outcome.no_text,
            "newsvault/reextract/errors": len(outcome.errors),
            "newsvault/reextract/missing": outcome.missing,
            "finish_reason": "finished",
        }
    )
    doc = build_manifest(
        run_id=run_id,
        config_hash=settings_hash,
        started=started,
        finished=finished,
        stats=stats,
        files=shipped,
        stores={"json": (dest / "json").as_uri()},
    )
    doc["reextract_of"] = {"archive": archive.uri, "runs": [r.run_id for r in runs]}
    folder = dest / "manifests"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{run_id}.json"
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    outcome.files = [p for p, _ in writer.files]
    outcome.manifest = target
    return outcome
