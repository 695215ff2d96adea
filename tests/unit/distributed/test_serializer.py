"""Requests travel through Redis as JSON, never pickle, and come back equal."""

from __future__ import annotations

import json

import pytest
import scrapy
from scrapy.http import Request
from scrapy.utils.request import request_from_dict

from crawler.distributed import serializer


class _Spider(scrapy.Spider):
    name = "s"

    def parse_page(self, response):  # pragma: no cover - referenced by name only
        return None

    def on_error(self, failure):  # pragma: no cover
        return None


def test_round_trip_keeps_callbacks_meta_headers_and_body():
    spider = _Spider()
    request = Request(
        "https://news.example/a?x=1",
        method="POST",
        body=b"\x00\xff binary",
        headers={"X-Thing": ["a", "b"], "Accept-Encoding": "gzip"},
        callback=spider.parse_page,
        errback=spider.on_error,
        priority=20,
        meta={"nv_source": "s", "nv_discovery": {"via": "feed", "published": None}, "depth": 2},
        cb_kwargs={"n": 1},
    )
    data = serializer.dumps(request.to_dict(spider=spider))
    assert b"pickle" not in data and json.loads(data)  # plain JSON
    back = request_from_dict(serializer.loads(data), spider=spider)
    assert back.url == request.url and back.method == "POST" and back.body == request.body
    assert back.headers.getlist("X-Thing") == [b"a", b"b"]
    assert back.callback == spider.parse_page and back.errback == spider.on_error
    assert back.meta == request.meta and back.cb_kwargs == {"n": 1} and back.priority == 20


def test_tuples_come_back_as_lists():
    data = serializer.dumps({"meta": {"codes": (301, 302)}})
    assert serializer.loads(data) == {"meta": {"codes": [301, 302]}}


def test_a_value_json_cannot_hold_is_an_error_naming_the_key():
    with pytest.raises(serializer.SerializationError, match=r"request\.meta\.when"):
        serializer.dumps({"meta": {"when": object()}})
