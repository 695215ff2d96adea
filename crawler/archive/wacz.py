"""WACZ 1.1.1 packages of an archive: its WARCs, their CDXJ, pages.jsonl and datapackage.json."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crawler import __version__
from crawler.archive.catalog import Archive, ArchiveFile, Run
from crawler.archive.export import RangeReader, iter_articles

logger = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
COPY_CHUNK = 4 * 1024 * 1024


def resource_name(path: str) -> str:
    """A Frictionless resource name: lower case letters, digits and ``-._/``."""
    return re.sub(r"[^-a-z0-9._/]", "-", os.path.basename(path).lower())


class _Hashing(io.RawIOBase):
    """Counts and hashes what is written into a zip member."""

    def __init__(self, sink: Any) -> None:
        self.sink, self.h, self.size = sink, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.h.update(data)
        self.size += len(data)
        self.sink.write(data)
        return len(data)


def _resource(path: str, hashing: _Hashing) -> dict[str, Any]:
    return {
        "name": resource_name(path),
        "path": path,
        "hash": "sha256:" + hashing.h.hexdigest(),
        "bytes": hashing.size,
    }


def pages(archive: Archive, runs: Sequence[Run], source: str | None) -> list[dict[str, Any]]:
    """One page per archived article: what ReplayWeb.page lists and searches."""
    out = []
    for article in iter_articles(archive, runs):
        if source and article.get("source") != source:
            continue
        prov = article.get("provenance") or {}
        out.append(
            {
                "id": str(prov.get("record_id") or article.get("url")).strip("<>"),
                "url": article.get("url"),
                "ts": prov.get("warc_date") or article.get("fetched_at"),
                "title": article.get("title") or article.get("url"),
            }
        )
    return out


def write_wacz(
    archive: Archive, runs: Sequence[Run], out: Path, *, source: str | None = None
) -> dict[str, Any]:
    """Write ``out`` (via ``out.part``); returns the datapackage."""
    warcs: list[ArchiveFile] = [f for run in runs for f in run.files_of("warc")]
    cdxj: list[ArchiveFile] = [f for run in runs for f in run.files_of("cdxj")]
    lines: list[str] = []
    for f in cdxj:
        lines += archive.get_bytes(f).decode("utf-8").splitlines()
    lines.sort()
    page_list = pages(archive, runs, source)
    part = out.with_name(out.name + ".part")
    resources = []
    try:
        # WARCs and indexes are stored, not deflated, so a replay tool can seek into them
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for f in warcs:
                name = f"archive/{f.key.rsplit('/', 1)[-1]}"
                with zf.open(zipfile.ZipInfo(name, _zip_time()), "w", force_zip64=True) as sink:
                    hashing = _Hashing(sink)
                    reader = RangeReader(archive, f, COPY_CHUNK)
                    while chunk := reader.read(COPY_CHUNK):
                        hashing.write(chunk)
                resources.append(_resource(name, hashing))
            for name, data in (
                ("indexes/index.cdxj", "".join(f"{line}\n" for line in lines).encode("utf-8")),
                (
                    "pages/pages.jsonl",
                    "".join(json.dumps(p) + "\n" for p in [PAGES_HEADER, *page_list]).encode(),
                ),
            ):
                with zf.open(zipfile.ZipInfo(name, _zip_time()), "w") as sink:
                    hashing = _Hashing(sink)
                    hashing.write(data)
                resources.append(_resource(name, hashing))
            main = page_list[0] if page_list else None
            package: dict[str, Any] = {
                "profile": "data-package",
                "resources": resources,
                "title": f"newsvault archive {archive.uri}",
                "description": f"{len(runs)} run(s): " + ", ".join(r.run_id for r in runs),
                "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "wacz_version": WACZ_VERSION,
                "software": f"newsvault {__version__}",
            }
            if main:
                package["mainPageURL"] = main["url"]
                package["mainPageDate"] = main["ts"]
            body = json.dumps(package, indent=2).encode("utf-8")
            zf.writestr(zipfile.ZipInfo("datapackage.json", _zip_time()), body)
            digest = {
                "path": "datapackage.json",
                "hash": "sha256:" + hashlib.sha256(body).hexdigest(),
            }
            zf.writestr(
                zipfile.ZipInfo("datapackage-digest.json", _zip_time()),
                json.dumps(digest, indent=2),
            )
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, out)
    return package


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(timezone.utc)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)
