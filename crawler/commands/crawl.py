"""`scrapy crawl` with newsvault's pre-flight, end summary and exit codes (crawler.outcome)."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.launch import StartupError, forget_finished_job, preflight
from crawler.outcome import EXIT_FAILED, assess_crawl
from crawler.summary import format_summary


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: Any) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        spargs = getattr(opts, "spargs", {}) or {}
        try:
            preflight(self.settings, source=spargs.get("source"), url=spargs.get("url"))
        except StartupError as exc:
            sys.stderr.write(f"newsvault: {exc}\n")
            sys.exit(exc.exit_code)

    def run(self, args: list[str], opts: Any) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl news`")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = EXIT_FAILED
            return
        stats = crawler.stats.get_stats()
        forget_finished_job(crawler.settings, stats)
        outcome = assess_crawl(stats, crawler.settings)
        # The operator's summary goes to stdout; Scrapy's log (and stats dump) to stderr.
        sys.stdout.write(format_summary(stats, crawler.settings, outcome) + "\n")
        sys.stdout.flush()
        self.exitcode = outcome.exit_code
