"""Download an archive's files in parallel: resumable by byte range, checked against sha256."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.archive.catalog import Archive, ArchiveError, ArchiveFile, Run

logger = logging.getLogger(__name__)

CHUNK = 8 * 1024 * 1024
PART_SUFFIX = ".part"

#: (file, bytes just received) -> None; called from the download threads.
Progress = Callable[[ArchiveFile, int], None]


class ChecksumMismatch(ArchiveError):
    """A downloaded file's sha256 is not the one its manifest lists."""


@dataclass(frozen=True)
class Outcome:
    file: ArchiveFile
    path: Path
    status: str  # "downloaded", "resumed", "skipped"
    fetched: int  # bytes read from the store


def local_path(dest: Path, file: ArchiveFile) -> Path:
    return dest.joinpath(file.store, *file.key.split("/"))


def sha256_of(path: Path, h: Any = None) -> str:
    h = h or hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return str(h.hexdigest())


def unique_files(files: Sequence[ArchiveFile]) -> list[ArchiveFile]:
    """One entry per path; a file listed by several runs (state.sqlite) keeps the latest."""
    latest: dict[str, ArchiveFile] = {}
    for f in sorted(files, key=lambda f: f.run_id):
        latest[f.path] = f
    return sorted(latest.values(), key=lambda f: f.path)


def is_valid(path: Path, file: ArchiveFile) -> bool:
    try:
        return path.stat().st_size == file.size and sha256_of(path) == file.sha256
    except FileNotFoundError:
        return False


def download_file(
    archive: Archive, file: ArchiveFile, dest: Path, progress: Progress | None = None
) -> Outcome:
    """Fetch one file to ``dest/<store>/<key>``; a ``.part`` left by an interrupted download
    is continued from its end. ChecksumMismatch (and no file left behind) if it does not match."""
    target = local_path(dest, file)
    if is_valid(target, file):
        if progress:
            progress(file, file.size)
        return Outcome(file, target, "skipped", 0)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + PART_SUFFIX)
    have = part.stat().st_size if part.exists() else 0
    if have > file.size:  # not a prefix of this file: start again
        part.unlink()
        have = 0
    status = "resumed" if have else "downloaded"
    h = hashlib.sha256()
    if have:
        sha256_of(part, h)
        if progress:
            progress(file, have)
    fetched = 0
    with open(part, "ab") as out:
        while have < file.size:
            data = archive.read_range(file, have, min(CHUNK, file.size - have))
            if not data:
                break
            out.write(data)
            h.update(data)
            have += len(data)
            fetched += len(data)
            if progress:
                progress(file, len(data))
        out.flush()
        os.fsync(out.fileno())
    digest = h.hexdigest()
    if have != file.size or (file.sha256 and digest != file.sha256):
        part.unlink()
        what = f"{have} bytes" if have != file.size else f"sha256 {digest}"
        raise ChecksumMismatch(
            f"{file.path}: got {what}, but run {file.run_id}'s manifest lists "
            f"{file.size} bytes with sha256 {file.sha256}; the stored copy is damaged "
            "(`newsvault verify` checks the whole archive)"
        )
    os.replace(part, target)
    return Outcome(file, target, status, fetched)


def write_manifests(archive: Archive, runs: Sequence[Run], dest: Path) -> None:
    """Copy the runs' manifests (every worker's of a distributed run) last, so DEST is
    itself an archive once complete."""
    folder = dest / "manifests"
    folder.mkdir(parents=True, exist_ok=True)
    for run in runs:
        for manifest in run.manifests:
            target = folder / manifest.key.rsplit("/", 1)[-1]
            tmp = target.with_name(target.name + PART_SUFFIX)
            tmp.write_text(json.dumps(manifest.doc, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, target)


def download(
    archive: Archive,
    files: Sequence[ArchiveFile],
    dest: Path,
    *,
    workers: int = 4,
    progress: Progress | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> tuple[list[Outcome], list[str]]:
    """Download ``files`` with ``workers`` threads; (outcomes, one line per failed file)."""
    outcomes: list[Outcome] = []
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(download_file, archive, f, dest, progress): f for f in files}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except ArchiveError as exc:
                failures.append(str(exc))
                continue
            except Exception as exc:  # one bad file must not hide the others
                failures.append(f"{futures[future].path}: {type(exc).__name__}: {exc}")
                continue
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes, sorted(failures)
