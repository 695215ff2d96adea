"""Baseline for archive-only mode: a plain Scrapy spider that fetches the pages and keeps nothing."""

from __future__ import annotations

import os

import scrapy


class FetchOnlySpider(scrapy.Spider):
    name = "fetch-only"
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "DEFAULT_REQUEST_HEADERS": {"Accept-Encoding": "gzip, deflate, br"},
    }

    def __init__(self, start: str = "", out: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.out = open(out, "w", encoding="utf-8")  # noqa: SIM115 - closed in closed()

    def parse(self, response: scrapy.http.Response):  # type: ignore[no-untyped-def]
        for href in response.css("a::attr(href)").getall():
            if "/pages/" in href:
                yield response.follow(href, callback=self.parse_article)

    def parse_article(self, response: scrapy.http.Response) -> None:
        pass  # fetched, and dropped

    def closed(self, reason: str) -> None:
        # Responses as Scrapy counts them (robots.txt included), like newsvault's manifest.
        assert self.crawler.stats is not None
        self.out.write(f"{self.crawler.stats.get_value('downloader/response_count', 0)}\n")
        self.out.close()


if __name__ == "__main__":
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": int(os.environ.get("BENCH_CONCURRENCY", "16")),
            "CONCURRENT_REQUESTS_PER_DOMAIN": int(os.environ.get("BENCH_CONCURRENCY", "16")),
        }
    )
    process.crawl(FetchOnlySpider, start=os.environ["BENCH_START"], out=os.environ["BENCH_OUT"])
    process.start()
