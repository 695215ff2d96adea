"""The `newsvault` command: crawl, extract, upload, verify and the researcher tools."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crawler import __version__
from crawler.config import CONFIG_ENV

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def _parse_set(values: Sequence[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(
                f"newsvault: -s {item!r}: expected NAME=VALUE, e.g. -s LOG_LEVEL=DEBUG"
            )
        pairs.append((name, value))
    return pairs


def crawl_settings(config: str | None, overrides: Sequence[tuple[str, str]] = ()) -> Any:
    """Project settings for a crawl, with the config path and `-s` overrides applied."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    if config:
        os.environ[CONFIG_ENV] = str(Path(config).resolve())
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in overrides:
        settings.set(name, value, priority="cmdline")
    return settings


def cmd_crawl(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from crawler.launch import OK_FINISH_REASONS, StartupError, preflight

    settings = crawl_settings(args.config, _parse_set(args.set))
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    try:
        preflight(settings, create_bucket=args.create_bucket)
    except StartupError as exc:
        print(f"newsvault: {exc}", file=sys.stderr)
        return 2
    spider_args: dict[str, str] = {}
    if args.source:
        spider_args["source"] = args.source
    if args.url:
        spider_args["url"] = args.url
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = stats.get("finish_reason", "unknown")
    # The crawler's settings include what the add-on read from the config file.
    print(format_summary(stats, crawler.settings))
    return 0 if reason in OK_FINISH_REASONS else 1


def format_summary(stats: dict[str, Any], settings: Any) -> str:
    """A short human summary of a finished crawl, from its Scrapy stats."""
    warc_uri = settings.get("ARCHIVE_STORAGE_WARC")
    json_uri = settings.get("ARCHIVE_STORAGE_JSON")
    lines = [
        f"finish reason : {stats.get('finish_reason', 'unknown')}",
        f"pages fetched : {stats.get('downloader/response_count', 0)}",
        f"articles      : {stats.get('newsvault/json/records', 0)}",
        f"WARC files    : {stats.get('newsvault/warc/files', 0)} "
        f"({stats.get('newsvault/warc/records', 0)} records) -> {warc_uri}",
        f"JSON files    : {stats.get('newsvault/json/files', 0)} -> {json_uri}",
    ]
    pending = stats.get("newsvault/upload/pending", 0)
    if pending:
        lines.append(
            f"NOT YET UPLOADED: {pending} file(s) stay in the spool; run `newsvault upload`"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsvault",
        description="News crawler and web archive: WARCs, clean article JSON, reader comments.",
    )
    parser.add_argument("--version", action="version", version=f"newsvault {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("crawl", help="crawl the configured sources into the archive")
    p.add_argument(
        "--config", help=f"config file (default: ${CONFIG_ENV} or ./archive_config.yaml)"
    )
    p.add_argument("--source", help="crawl only the source with this name")
    p.add_argument("--url", help="crawl one ad-hoc start URL instead of the configured sources")
    p.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting (repeatable)",
    )
    p.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument(
        "--create-bucket", action="store_true", help="create a missing S3 bucket instead of failing"
    )
    p.set_defaults(func=cmd_crawl)

    # Each command family lives beside the code it drives; imports stay light until run.
    from crawler import extract_cli, upload_cli

    extract_cli.add_parser(sub)
    upload_cli.add_parsers(sub)
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
