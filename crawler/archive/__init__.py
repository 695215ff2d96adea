"""Reading a newsvault archive: its catalog of runs and files, downloads, captures and records."""

from __future__ import annotations

from crawler.archive.catalog import (
    KIND_GROUPS,
    Archive,
    ArchiveError,
    ArchiveFile,
    Run,
    RunManifest,
    open_archive,
    parse_when,
)

__all__ = [
    "KIND_GROUPS",
    "Archive",
    "ArchiveError",
    "ArchiveFile",
    "Run",
    "RunManifest",
    "open_archive",
    "parse_when",
]
