"""The `newsvault upload` command: which spools it ships."""

from __future__ import annotations

from pathlib import Path

from crawler.cli.upload import spools


def test_upload_takes_every_workers_spool_of_a_distributed_crawl(tmp_path: Path) -> None:
    base = tmp_path / ".newsvault" / "spool-0123456789ab"
    for name in ("spool-0123456789ab~crawl3-1", "spool-0123456789ab~crawl3-2", "spool-other"):
        (tmp_path / ".newsvault" / name).mkdir(parents=True)
    settings = {"ARCHIVE_STORAGE_SPOOL": str(base), "ARCHIVE_REDIS_URL": "redis://127.0.0.1/0"}
    assert spools(settings) == [str(base), f"{base}~crawl3-1", f"{base}~crawl3-2"]
    assert spools({"ARCHIVE_STORAGE_SPOOL": str(base)}) == [str(base)]  # not distributed
