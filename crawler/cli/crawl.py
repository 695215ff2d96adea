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
    """Crawl; the exit code is 0 ok, 1 failed, 2 usage, 3 partial (crawler.outcome)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.launch import StartupError, forget_finished_job, preflight, project_settings
    from crawler.outcome import assess_crawl
    from crawler.summary import format_summary

    try:
        settings = project_settings(parse_set(args.set))
        if args.log_level:
            settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
        preflight(
            settings,
            args.config,
            create_bucket=args.create_bucket,
            source=args.source,
            url=args.url,
        )
    except StartupError as exc:
        error(str(exc))
        return exc.exit_code
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
    forget_finished_job(crawler.settings, stats)
    # The crawler's settings include what the add-on read from the config file.
    outcome = assess_crawl(stats, crawler.settings)
    print(format_summary(stats, crawler.settings, outcome), flush=True)
    return outcome.exit_code
