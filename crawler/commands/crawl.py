"""`scrapy crawl` with newsvault's pre-flight: config errors and dead stores in one line."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.launch import OK_FINISH_REASONS, StartupError, preflight


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: Any) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            preflight(self.settings)
        except StartupError as exc:
            sys.stderr.write(f"newsvault: {exc}\n")
            sys.exit(2)

    def run(self, args: list[str], opts: Any) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. `scrapy crawl news`")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        # A crawl that closed itself because of a bad source or an unusable store must
        # not look like a success to cron or systemd.
        if self.crawler_process.bootstrap_failed or reason not in OK_FINISH_REASONS:
            self.exitcode = 1
