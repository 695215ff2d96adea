"""`newsvault wacz URI --out FILE.wacz`: the archive as one WACZ 1.1.1 file for ReplayWeb.page."""

from __future__ import annotations

import argparse
import logging
import sys
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
        "wacz",
        parents=[archive_parent()],
        help="package the WARCs, their CDXJ index and a page list as one WACZ file",
        description="Writes a WACZ 1.1.1 file (archive/*.warc.gz, indexes/index.cdxj, "
        "pages/pages.jsonl with one page per article, datapackage.json and its digest) that "
        "opens in ReplayWeb.page. --source selects the runs that crawled it and its pages.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--out", required=True, metavar="FILE.wacz", help="the file to write")
    p.set_defaults(func=cmd_wacz)


def cmd_wacz(args: argparse.Namespace) -> int:
    from crawler.archive import ArchiveError
    from crawler.archive.wacz import write_wacz

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    out = Path(args.out)
    if out.suffix != ".wacz":
        raise fail(f"--out {out}: a WACZ file name ends in .wacz")
    if not out.parent.is_dir():
        raise fail(f"--out {out}: directory {out.parent} does not exist")
    try:
        package = write_wacz(archive, runs, out, source=args.source)
    except ArchiveError as exc:
        raise fail(str(exc)) from None
    warcs = sum(1 for r in package["resources"] if r["path"].startswith("archive/"))
    print(f"{out}: {warcs} WARC file(s), {out.stat().st_size} bytes", file=sys.stderr)
    return 0
