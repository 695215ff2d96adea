"""An archive's captures: the per-run Parquet index, built from the CDXJ where a run has none."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.archive.catalog import Archive, ArchiveError, ArchiveFile, Run
from pipelines.capture_index import INDEX_KIND, index_key, rows_from_cdxj, write_index

logger = logging.getLogger(__name__)


def index_file(run: Run) -> ArchiveFile | None:
    return next((f for f in run.files if f.kind == INDEX_KIND and f.status != "pending"), None)


def run_articles(archive: Archive, run: Run) -> tuple[set[tuple[str, int]], dict[str, str]]:
    """(warc file, offset) of every article of the run, and host -> source from them."""
    found: set[tuple[str, int]] = set()
    hosts: dict[str, str] = {}
    for f in run.files_of("jsonl"):
        if f.status == "pending":
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


def build_run_rows(archive: Archive, run: Run) -> list[dict[str, Any]]:
    """The index rows of a run crawled without one: from its CDXJ files and article JSON.

    Sources come from the articles' hosts (or the run's only source); is_article from the
    articles' provenance. Revisits and responses are both in the CDXJ.
    """
    articles, hosts = run_articles(archive, run)
    only = next(iter(run.sources)) if len(run.sources) == 1 else None
    rows: list[dict[str, Any]] = []
    for f in run.files_of("cdxj"):
        if f.status == "pending":
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


def local_indexes(archive: Archive, runs: Sequence[Run], folder: Path) -> list[Path]:
    """A local Parquet file per run: its stored index, or one built now from its CDXJ."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for run in runs:
        target = folder / f"{run.run_id}.parquet"
        stored = index_file(run)
        if stored is not None:
            target.write_bytes(archive.get_bytes(stored))
        else:
            rows = build_run_rows(archive, run)
            if not rows:
                continue
            write_index(rows, target)
        paths.append(target)
    return paths


def build_missing(
    archive: Archive, runs: Iterable[Run], folder: Path, *, force: bool = False
) -> list[str]:
    """Write ``index/RUN_ID.parquet`` for each run without one, and list it in the run's
    manifest; returns one line per run indexed."""
    from pipelines.storage import file_sha256

    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for run in runs:
        if index_file(run) is not None and not force:
            continue
        rows = build_run_rows(archive, run)
        if not rows:
            done.append(f"{run.run_id}: no CDXJ to index")
            continue
        path = folder / f"{run.run_id}.parquet"
        count = write_index(rows, path)
        key = index_key(run.run_id, str(run.manifest.get("worker_id") or ""))
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
        doc = dict(run.manifest)
        doc["files"] = [f for f in doc.get("files", ()) if f.get("key") != key] + [entry]
        manifests = archive.store("manifests")
        manifests.put_bytes((json.dumps(doc, indent=2) + "\n").encode("utf-8"), run.manifest_key)
        done.append(f"{run.run_id}: {count} capture(s) -> {store.uri_for(key)}")
    return done
