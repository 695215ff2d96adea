"""Options shared by the commands that read an archive: URI, --source, --since, --until, --run."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from crawler.cli.common import archive_settings, config_options

if TYPE_CHECKING:
    from crawler.archive import Archive, Run

URI_HELP = (
    "the archive: a directory, file:///abs/path or s3://bucket/prefix holding manifests/, "
    "warc/ and json/ (S3 credentials from boto3's chain; endpoint from --config, "
    "-s AWS_ENDPOINT_URL=... or $AWS_ENDPOINT_URL)"
)


def archive_parent(*, filters: bool = True) -> argparse.ArgumentParser:
    """A parent parser: --config/-s (for the S3 endpoint) and, with ``filters``, the run filters."""
    parent = argparse.ArgumentParser(add_help=False, parents=[config_options()])
    if filters:
        parent.add_argument("--source", metavar="NAME", help="only runs (and rows) of this source")
        parent.add_argument(
            "--since",
            metavar="DATE",
            help="only runs that ended on or after DATE (YYYY-MM-DD or ISO)",
        )
        parent.add_argument(
            "--until", metavar="DATE", help="only runs that started on or before DATE"
        )
        parent.add_argument(
            "--run",
            action="append",
            default=[],
            metavar="RUN_ID",
            help="only this run (repeatable); a distributed run's id gives all its workers' files",
        )
    return parent


def fail(message: str, code: int = 2) -> SystemExit:
    """One line on stderr and the exit code, as a SystemExit to raise."""
    print(f"newsvault: {message}", file=sys.stderr)
    return SystemExit(code)


def open_from_args(args: argparse.Namespace) -> Archive:
    from crawler.archive import ArchiveError, open_archive

    settings: Any = archive_settings(args, require_config=False)
    try:
        return open_archive(args.uri, settings)
    except ArchiveError as exc:
        raise fail(str(exc)) from None


def selected_runs(args: argparse.Namespace, archive: Archive) -> list[Run]:
    from crawler.archive import ArchiveError, parse_when

    try:
        since = parse_when(args.since) if getattr(args, "since", None) else None
        until = parse_when(args.until, end=True) if getattr(args, "until", None) else None
    except ValueError as exc:
        raise fail(f"--since/--until: {exc}") from None
    try:
        runs = archive.select(
            getattr(args, "source", None), since, until, run_ids=getattr(args, "run", None) or ()
        )
    except ArchiveError as exc:
        raise fail(str(exc)) from None
    if not runs:
        raise fail(f"no run in {archive.uri} matches --source/--since/--until/--run", 1)
    return runs
