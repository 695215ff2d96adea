"""`scrapy crawl` with newsvault's pre-flight: config errors and dead stores in one line."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.launch import StartupError, preflight


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
        super().run(args, opts)
        # A crawl that could not open its spider (e.g. a store that failed) must not exit 0.
        if self.exitcode == 0 and getattr(self.crawler_process, "bootstrap_failed", False):
            self.exitcode = 1
