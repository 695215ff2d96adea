"""Leases follow a request: acknowledged after its callback's output, handed on by a retry."""

from __future__ import annotations

import scrapy
from scrapy.http import HtmlResponse, Request
from twisted.python.failure import Failure

from crawler.distributed.scheduler import _unwrap, _wrap


class _Spider(scrapy.Spider):
    name = "s"

    def parse_page(self, response):
        yield Request("https://x.example/child")
        yield {"item": 1}

    def on_error(self, failure):
        return None


def _leased(spider: _Spider, done: list[str]) -> Request:
    request = Request("https://x.example/", callback=spider.parse_page, errback=spider.on_error)
    _wrap(request, "000000000001", done.append, spider)
    return request


def test_lease_is_acknowledged_after_the_callback_output_is_consumed():
    spider, done = _Spider(), []
    request = _leased(spider, done)
    output = request.callback(HtmlResponse(request.url, body=b"<html></html>", request=request))
    first = next(output)
    assert first.url == "https://x.example/child" and done == []  # not before its children
    assert list(output) == [{"item": 1}]
    assert done == ["000000000001"]


def test_errback_acknowledges_too():
    spider, done = _Spider(), []
    request = _leased(spider, done)
    request.errback(Failure(ValueError("connection refused")))
    assert done == ["000000000001"]


def test_a_retry_copy_hands_the_lease_on_and_queues_the_spider_callbacks():
    spider, done = _Spider(), []
    request = _leased(spider, done)
    retry = request.replace(dont_filter=True)  # what RetryMiddleware and redirects do
    assert _unwrap(retry) == "000000000001"
    assert retry.callback == spider.parse_page and retry.errback == spider.on_error
    assert retry.to_dict(spider=spider)["callback"] == "parse_page"  # serialisable again


def test_a_request_without_errback_gets_none_back():
    spider, done = _Spider(), []
    request = Request("https://x.example/", callback=spider.parse_page)
    _wrap(request, "7", done.append, spider)
    assert _unwrap(request.copy()) == "7"
    copy = request.copy()
    _unwrap(copy)
    assert copy.errback is None
