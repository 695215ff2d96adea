"""`newsvault report URI --out report.html`: one self-contained HTML page of charts."""

from __future__ import annotations

import argparse
import logging
import os
import sys
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
        "report",
        parents=[archive_parent()],
        help="write one self-contained HTML page of charts about the archive",
        description="Articles per source per day, the share of articles with author, date "
        "and comments, comments per article, HTTP status mix, archive size over time and "
        "top errors, as inline SVG: the page needs no network to view.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from crawler.archive import ArchiveError
    from crawler.archive.captures import local_indexes
    from crawler.archive.report import collect, render

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise fail(f"--out {out}: directory {out.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix="newsvault-report-") as tmp:
        try:
            figures = collect(archive, runs, local_indexes(archive, runs, Path(tmp)))
        except ArchiveError as exc:
            raise fail(str(exc)) from None
    part = out.with_name(out.name + ".part")
    part.write_text(render(archive.uri, figures), encoding="utf-8")
    os.replace(part, out)
    print(f"report -> {out}", file=sys.stderr)
    return 0
