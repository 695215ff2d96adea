"""`newsvault reextract URI --out DEST`: rebuild article JSON from the WARCs, current extractor."""

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
        "reextract",
        parents=[archive_parent()],
        help="rebuild the article JSON from the WARCs with the current extractor",
        description="Re-extracts every article the selected runs published, from its WARC "
        "record, in a process pool; writes DEST/json/... shards (same schema, provenance "
        "pointing into the original WARCs) and DEST/manifests/RUN_ID.json. Extraction "
        "options come from --config (extraction.*).",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--out", required=True, metavar="DEST", help="local directory to write into")
    p.add_argument(
        "--workers", type=int, default=0, metavar="N", help="processes (0: one per core)"
    )
    p.add_argument(
        "--reader", choices=("fastwarc", "warcio"), help="WARC reader (fastest installed)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_reextract)


def cmd_reextract(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from crawler.archive import ArchiveError
    from crawler.archive.reextract import reextract
    from crawler.cli.common import archive_settings
    from pipelines.extraction import ExtractionPoolConfig

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    settings = archive_settings(args, require_config=False)
    if args.workers:
        settings.set("ARCHIVE_EXTRACTION_WORKERS", args.workers, priority="cmdline")
    pool = ExtractionPoolConfig.from_settings(settings)
    dest = Path(args.out)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"--out {dest}: {exc.strerror or exc}") from None
    total = sum(f.records for run in runs for f in run.files_of("jsonl"))
    bar = Progress(
        TextColumn("re-extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=args.no_progress or not sys.stderr.isatty(),
    )
    task = bar.add_task("articles", total=total)
    with tempfile.TemporaryDirectory(prefix="newsvault-reextract-") as tmp, bar:
        try:
            outcome = reextract(
                archive,
                runs,
                dest,
                workers=pool.pool_size,
                options=pool.options(),
                reader=args.reader,
                progress=lambda n: bar.advance(task, n),
                workdir=Path(tmp),
            )
        except ArchiveError as exc:
            raise fail(str(exc)) from None
    for line in outcome.errors[:20]:
        print(f"newsvault: extraction failed: {line}", file=sys.stderr)
    print(
        f"{outcome.articles} article(s) re-extracted into {dest} (run {outcome.run_id}, "
        f"manifest {outcome.manifest}); {outcome.no_text} without text, "
        f"{len(outcome.errors)} error(s), {outcome.missing} record(s) not found"
    )
    return 1 if outcome.errors or outcome.missing else 0
