"""`newsvault get URI DEST`: download an archive (or part of it), resumable and sha256-checked."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from crawler.cli.archive_options import URI_HELP, archive_parent, open_from_args, selected_runs

logger = logging.getLogger(__name__)

KINDS = ("warc", "json", "index", "state", "all")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "get",
        parents=[archive_parent()],
        help="download an archive's files (parallel, resumable, checked against the manifests)",
        description="Download the files of the selected runs to DEST/<store>/<key> (DEST is "
        "then an archive itself, with the runs' manifests). Files already in DEST with the "
        "listed sha256 are skipped; a partial download continues where it stopped.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("dest", metavar="DEST", help="local directory to download into")
    p.add_argument(
        "--kind",
        choices=KINDS,
        default="all",
        help="warc (WARCs and their CDXJ), json (article shards), index (capture index), "
        "state (the incremental state database), all (warc, json and index; default)",
    )
    p.add_argument("--workers", type=int, default=4, metavar="N", help="parallel downloads (4)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_get)


def cmd_get(args: argparse.Namespace) -> int:
    from crawler.archive import KIND_GROUPS
    from crawler.archive.download import Outcome, download, unique_files, write_manifests

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    groups = ("warc", "json", "index") if args.kind == "all" else (args.kind,)
    kinds = [k for g in groups for k in KIND_GROUPS[g]]
    files = unique_files(archive.files(runs, kinds))
    pending = [f for f in files if f.status != "pending"]
    dest = Path(args.dest)
    total = sum(f.size for f in pending)
    show = not args.no_progress and sys.stderr.isatty()

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(
        TextColumn("{task.description}", justify="left"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not show,
        transient=False,
    )
    lock = threading.Lock()
    overall = bar.add_task("total", total=total)
    tasks: dict[str, Any] = {}

    def progress(file: Any, received: int) -> None:
        with lock:
            if file.path not in tasks:
                tasks[file.path] = bar.add_task(file.key.rsplit("/", 1)[-1][:48], total=file.size)
            bar.advance(tasks[file.path], received)
            bar.advance(overall, received)

    def done(outcome: Outcome) -> None:
        with lock:
            task = tasks.pop(outcome.file.path, None)
            if task is not None:
                bar.remove_task(task)

    with bar:
        outcomes, failures = download(
            archive, pending, dest, workers=args.workers, progress=progress, on_done=done
        )
    for line in failures:
        print(f"newsvault: {line}", file=sys.stderr)
    if failures:
        print(
            f"newsvault: {len(failures)} of {len(pending)} file(s) failed; run the same "
            "command again to retry (files already valid are skipped, partial ones continue)",
            file=sys.stderr,
        )
        return 1
    write_manifests(archive, runs, dest)
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("downloaded", "resumed", "skipped")
    }
    fetched = sum(o.fetched for o in outcomes)
    print(
        f"{len(outcomes)} file(s) in {dest}: {counts['downloaded']} downloaded, "
        f"{counts['resumed']} resumed, {counts['skipped']} already valid; {fetched} bytes fetched"
    )
    missing = len(files) - len(pending)
    if missing:
        print(
            f"newsvault: {missing} file(s) were never uploaded (pending in the crawl's spool)",
            file=sys.stderr,
        )
    return 0
