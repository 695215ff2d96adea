"""Baseline: a spider that calls trafilatura.extract inline in its callback (blocks the reactor)."""

from __future__ import annotations

import json
import os

import scrapy
import trafilatura


class InlineSpider(scrapy.Spider):
    name = "inline"
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
            yield response.follow(href, callback=self.parse_article)

    def parse_article(self, response: scrapy.http.Response) -> None:
        result = trafilatura.extract(
            response.text,
            url=response.url,
            with_metadata=True,
            include_comments=True,
            output_format="json",
        )
        self.out.write((result or json.dumps({"url": response.url})) + "\n")

    def closed(self, reason: str) -> None:
        self.out.close()


if __name__ == "__main__":
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": int(os.environ.get("BENCH_CONCURRENCY", "16")),
            "CONCURRENT_REQUESTS_PER_DOMAIN": int(os.environ.get("BENCH_CONCURRENCY", "16")),
        }
    )
    process.crawl(InlineSpider, start=os.environ["BENCH_START"], out=os.environ["BENCH_OUT"])
    process.start()
