"""`newsvault query URI "SQL"`: SQL (DuckDB) over an archive's capture index, as `captures`."""

from __future__ import annotations

import argparse
import logging
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
        "query",
        parents=[archive_parent()],
        help="run SQL (DuckDB) over the capture index; the table is `captures`",
        description="Runs SQL over the capture index of the selected runs, a table named "
        "`captures` with one row per archived response or revisit (see the README for its "
        "columns). Runs without a stored index are indexed from their CDXJ on the fly.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument(
        "sql", metavar="SQL", help='e.g. "SELECT status, count(*) FROM captures GROUP BY 1"'
    )
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output (table)"
    )
    p.set_defaults(func=cmd_query)


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from crawler.archive import ArchiveError
    from crawler.archive.captures import local_indexes

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    with tempfile.TemporaryDirectory(prefix="newsvault-query-") as tmp:
        try:
            paths = local_indexes(archive, runs, Path(tmp))
        except ArchiveError as exc:
            raise fail(str(exc)) from None
        if not paths:
            raise fail(f"no captures in {archive.uri} for the selected runs", 1)
        con = duckdb.connect()
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        where = ""
        if args.source:
            where = " WHERE source = '" + args.source.replace("'", "''") + "'"
        con.execute(
            f"CREATE VIEW captures AS SELECT * FROM read_parquet([{files}], union_by_name=true){where}"
        )
        try:
            rel = con.sql(args.sql)
        except duckdb.Error as exc:
            raise fail(f"SQL: {str(exc).splitlines()[0]}") from None
        if rel is None:
            return 0
        if args.format == "table":
            rel.show(max_width=200, max_rows=1000)
        else:
            import csv
            import json

            columns = rel.columns
            rows = rel.fetchall()
            if args.format == "csv":
                writer = csv.writer(sys.stdout)
                writer.writerow(columns)
                writer.writerows(rows)
            else:
                for row in rows:
                    print(json.dumps(dict(zip(columns, row, strict=True)), default=str))
    return 0
