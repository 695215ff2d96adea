"""The `newsvault` command: one sub-command per job, each in its own module here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from crawler import __version__

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsvault",
        description="News crawler and web archive: WARCs, clean article JSON, reader comments.",
    )
    parser.add_argument("--version", action="version", version=f"newsvault {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each module imports its heavy dependencies only when its command runs.
    from crawler.cli import (
        crawl,
        export,
        extract,
        get,
        index,
        ls,
        query,
        record,
        reextract,
        replay,
        report,
        upload,
        verify,
        wacz,
    )

    for module in (
        crawl,
        extract,
        upload,
        verify,
        ls,
        get,
        index,
        query,
        record,
        export,
        reextract,
        report,
        wacz,
        replay,
    ):
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "crawl":
        # Crawls log through Scrapy's handler at LOG_LEVEL; other commands show only problems.
        console = logging.StreamHandler()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("newsvault: %(message)s"))
        logging.getLogger().addHandler(console)
    handler: Handler = args.func
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
