"""A pywb collection made on the fly from an archive's WARCs and its own CDXJ (no re-indexing)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.archive.catalog import Archive, Run
from crawler.archive.download import download_file

logger = logging.getLogger(__name__)

COLLECTION = "newsvault"


def build_collection(
    archive: Archive, runs: Sequence[Run], root: Path, name: str = COLLECTION
) -> Path:
    """``root/collections/NAME/{archive,indexes}``: local WARCs are linked, remote ones fetched."""
    coll = root / "collections" / name
    (coll / "archive").mkdir(parents=True, exist_ok=True)
    (coll / "indexes").mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    fetch_dir = root / "fetched"
    for run in runs:
        for f in run.files_of("warc"):
            target = coll / "archive" / f.key.rsplit("/", 1)[-1]
            uri = archive.store("warc").uri_for(f.key)
            if uri.startswith("file://"):
                target.unlink(missing_ok=True)
                os.symlink(unquote(urlsplit(uri).path), target)
            else:
                os.replace(download_file(archive, f, fetch_dir).path, target)
        for f in run.files_of("cdxj"):
            lines += archive.get_bytes(f).decode("utf-8").splitlines()
    (coll / "indexes" / "index.cdxj").write_text("".join(f"{x}\n" for x in sorted(lines)))
    return coll
