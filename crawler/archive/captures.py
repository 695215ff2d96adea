"""An archive's captures: the per-run Parquet index, built from the CDXJ where a run has none."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.archive.catalog import Archive, ArchiveError, ArchiveFile, Run, RunManifest
from pipelines.capture_index import INDEX_KIND, index_key, rows_from_cdxj, write_index

logger = logging.getLogger(__name__)


def index_file(part: RunManifest) -> ArchiveFile | None:
    """The stored capture index of one manifest (a distributed run has one per worker)."""
    return next((f for f in part.files if f.kind == INDEX_KIND and f.status != "pending"), None)


def run_articles(
    archive: Archive, files: Sequence[ArchiveFile]
) -> tuple[set[tuple[str, int]], dict[str, str]]:
    """(warc file, offset) of every article in ``files``' JSON, and host -> source from them."""
    found: set[tuple[str, int]] = set()
    hosts: dict[str, str] = {}
    for f in files:
        if f.kind != "jsonl" or f.status == "pending":
            continue
        for line in gzip.decompress(archive.get_bytes(f)).splitlines():
            if not line.strip():
                continue
            article = json.loads(line)
            prov = article.get("provenance") or {}
            if prov.get("warc_file") and prov.get("offset") is not None:
                found.add((str(prov["warc_file"]), int(prov["offset"])))
            host = (urlsplit(str(article.get("url", ""))).hostname or "").lower()
            if host and article.get("source"):
                hosts.setdefault(host, str(article["source"]))
    return found, hosts


def build_rows(archive: Archive, run: Run, part: RunManifest) -> list[dict[str, Any]]:
    """The index rows of one manifest crawled without an index: from its CDXJ files and the
    run's article JSON.

    Sources come from the articles' hosts (or the run's only source); is_article from the
    articles' provenance. Revisits and responses are both in the CDXJ.
    """
    articles, hosts = run_articles(archive, run.files)
    only = next(iter(run.sources)) if len(run.sources) == 1 else None
    rows: list[dict[str, Any]] = []
    for f in part.files:
        if f.kind != "cdxj" or f.status == "pending":
            continue
        warc_key = f.key[: -len(".cdxj")]
        text = archive.get_bytes(f).decode("utf-8")
        rows.extend(
            rows_from_cdxj(
                text,
                warc_key=warc_key,
                run_id=run.run_id,
                articles=articles,
                source_of=hosts,
                default_source=only,
            )
        )
    return rows


def _local_name(part: RunManifest) -> str:
    return part.key.rsplit("/", 1)[-1].removesuffix(".json") + ".parquet"


def local_indexes(archive: Archive, runs: Sequence[Run], folder: Path) -> list[Path]:
    """Local Parquet files for the runs (one per manifest: a distributed run's workers each
    have their own): the stored index, or one built now from the CDXJ."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for run in runs:
        for part in run.manifests:
            target = folder / _local_name(part)
            stored = index_file(part)
            if stored is not None:
                target.write_bytes(archive.get_bytes(stored))
            else:
                rows = build_rows(archive, run, part)
                if not rows:
                    continue
                write_index(rows, target)
            paths.append(target)
    return paths


def build_missing(
    archive: Archive, runs: Iterable[Run], folder: Path, *, force: bool = False
) -> list[str]:
    """Write ``index/RUN_ID.parquet`` (``index/RUN_ID~WORKER.parquet`` for each worker of a
    distributed run) where there is none, and list it in its manifest; returns one line per
    run indexed."""
    from pipelines.storage import file_sha256

    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for run in runs:
        parts = [p for p in run.manifests if force or index_file(p) is None]
        if not parts:
            continue
        captures = 0
        where = []
        for part in parts:
            rows = build_rows(archive, run, part)
            if not rows:
                continue
            path = folder / _local_name(part)
            count = write_index(rows, path)
            key = index_key(run.run_id, part.worker_id)
            store = archive.store("warc")
            try:
                stored = store.put_file(path, key)
            except Exception as exc:
                raise ArchiveError(f"cannot store {store.uri_for(key)}: {exc}") from None
            entry = {
                "store": "warc",
                "key": key,
                "uri": store.uri_for(key),
                "size": stored.size,
                "sha256": stored.sha256 or file_sha256(path),
                "records": count,
                "kind": INDEX_KIND,
                "status": "uploaded",
            }
            doc = dict(part.doc)
            doc["files"] = [f for f in doc.get("files", ()) if f.get("key") != key] + [entry]
            manifests = archive.store("manifests")
            manifests.put_bytes((json.dumps(doc, indent=2) + "\n").encode("utf-8"), part.key)
            captures += count
            where.append(store.uri_for(key))
        if not where:
            done.append(f"{run.run_id}: no CDXJ to index")
        else:
            done.append(f"{run.run_id}: {captures} capture(s) -> {', '.join(where)}")
    return done
