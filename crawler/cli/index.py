"""`newsvault index URI`: build the capture index of runs crawled before it existed."""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path
from typing import Any

from crawler.cli.archive_options import (
    URI_HELP,
    archive_parent,
    fail,
    open_from_args,
    selected_runs,
)

logger = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "index",
        parents=[archive_parent()],
        help="write the Parquet capture index of runs that have none (from their CDXJ)",
        description="Crawls write index/RUN_ID.parquet into the WARC store; this builds it "
        "for older runs from their CDXJ files and article JSON, stores it there and adds it "
        "to the run's manifest.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--force", action="store_true", help="rebuild indexes that exist")
    p.set_defaults(func=cmd_index)


def cmd_index(args: argparse.Namespace) -> int:
    from crawler.archive import ArchiveError
    from crawler.archive.captures import build_missing

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    with tempfile.TemporaryDirectory(prefix="newsvault-index-") as tmp:
        try:
            lines = build_missing(archive, runs, Path(tmp), force=args.force)
        except ArchiveError as exc:
            raise fail(str(exc)) from None
    for line in lines:
        print(line)
    print(f"{len(lines)} run(s) indexed, {len(runs) - len(lines)} already had an index")
    return 0
