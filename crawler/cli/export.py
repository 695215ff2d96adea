"""`newsvault export URI --format F --out FILE`: the archive's articles as one typed table."""

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
        "export",
        parents=[archive_parent()],
        help="write the articles as one table: Parquet, CSV or JSON Lines",
        description="One row per article, with typed columns: published/modified as UTC "
        "timestamps (the original text, zone included, in published_text/modified_text), "
        "authors and tags as lists, comments as a list of structs (Parquet; JSON in CSV), "
        "and provenance columns pointing into the WARCs. Written in batches: memory stays flat.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--format", choices=("parquet", "csv", "jsonl"), required=True)
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--batch", type=int, default=2000, metavar="N", help="articles per batch")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from crawler.archive import ArchiveError, parse_when
    from crawler.archive.export import export, to_utc

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    since = parse_when(args.since) if args.since else None
    until = parse_when(args.until, end=True) if args.until else None

    def keep(article: dict[str, Any]) -> bool:
        if args.source and article.get("source") != args.source:
            return False
        fetched = to_utc(article.get("fetched_at"))
        if fetched is not None and since and fetched < since:
            return False
        return not (fetched is not None and until and fetched > until)

    out = Path(args.out)
    if not out.parent.is_dir():
        raise fail(f"--out {out}: directory {out.parent} does not exist")
    try:
        count = export(archive, runs, out, args.format, keep=keep, batch=max(1, args.batch))
    except ArchiveError as exc:
        raise fail(str(exc)) from None
    print(f"{count} article(s) -> {out}", file=sys.stderr)
    return 0
