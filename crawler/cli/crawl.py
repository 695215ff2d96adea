"""`newsvault crawl`: the configured sources into the archive, with a summary at the end."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.cli.common import config_options, error, parse_set


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "crawl", parents=[config_options()], help="crawl the configured sources into the archive"
    )
    p.add_argument("--source", help="crawl only the source with this name")
    p.add_argument("--url", help="crawl one ad-hoc start URL instead of the configured sources")
    p.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument(
        "--create-bucket", action="store_true", help="create a missing S3 bucket instead of failing"
    )
    p.set_defaults(func=cmd_crawl)


def cmd_crawl(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from crawler.launch import OK_FINISH_REASONS, StartupError, preflight, project_settings

    settings = project_settings(parse_set(args.set))
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    try:
        preflight(settings, args.config, create_bucket=args.create_bucket)
    except StartupError as exc:
        error(str(exc))
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
        f"run id        : {settings.get('ARCHIVE_RUN_ID')}",
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
