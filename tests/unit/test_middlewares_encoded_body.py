"""EncodedBodyMiddleware: gzip/deflate/br removed, no charset guess on compressed bytes, failures said and counted."""

from __future__ import annotations

import gzip
import logging
import zlib

import brotlicffi
import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.http.response import text as text_module
from scrapy.utils.test import get_crawler

from crawler.middlewares import STAT_DECODE_FAILED, EncodedBodyMiddleware

PAGE = "<html><head><title>Café</title></head><body><p>Grüße aus Köln</p></body></html>"


def _through(response: Response, request: Request) -> Response:
    """The response path of the two middlewares, in the order settings.py gives them."""
    compression = HttpCompressionMiddleware(crawler=get_crawler())
    response = EncodedBodyMiddleware().process_response(request, response)
    return compression.process_response(request, response)


@pytest.fixture
def detections(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    seen: list[bytes] = []
    original = text_module.from_bytes

    def spy(data: bytes):  # type: ignore[no-untyped-def]
        seen.append(data)
        return original(data)

    monkeypatch.setattr(text_module, "from_bytes", spy)
    return seen


@pytest.mark.parametrize("coding", [b"gzip", b"x-gzip", b"GZIP"])
def test_compressed_page_is_decoded_without_guessing_on_gzip_bytes(
    detections: list[bytes], coding: bytes
) -> None:
    url = "http://example.org/a"
    request = Request(url)
    raw = HtmlResponse(
        url,
        body=gzip.compress(PAGE.encode("utf-8")),
        headers={"Content-Type": "text/html", "Content-Encoding": coding},
        request=request,
    )
    out = _through(raw, request)
    assert isinstance(out, HtmlResponse)
    assert out.text == PAGE
    assert out.encoding == "utf-8"
    assert b"Content-Encoding" not in out.headers
    assert detections == []  # Scrapy alone runs charset_normalizer over the gzip bytes


def test_scrapy_alone_guesses_on_the_compressed_bytes(detections: list[bytes]) -> None:
    """Why the middleware exists: if Scrapy stops doing this, it can go."""
    url = "http://example.org/a"
    request = Request(url)
    raw = HtmlResponse(
        url,
        body=gzip.compress(PAGE.encode("utf-8")),
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
        request=request,
    )
    HttpCompressionMiddleware(crawler=get_crawler()).process_response(request, raw)
    assert detections and detections[0].startswith(b"\x1f\x8b")


def test_unknown_or_absent_coding_is_left_alone() -> None:
    request = Request("http://example.org/a")
    plain = HtmlResponse(request.url, body=PAGE.encode(), headers={"Content-Type": "text/html"})
    assert EncodedBodyMiddleware().process_response(request, plain) is plain
    odd = TextResponse(
        request.url, body=b"\x00", headers={"Content-Encoding": "compress"}, encoding="utf-8"
    )
    assert EncodedBodyMiddleware().process_response(request, odd) is odd
    zstd = Response(request.url, body=b"(\xb5/\xfd", headers={"Content-Encoding": "zstd"})
    assert EncodedBodyMiddleware().process_response(request, zstd) is zstd  # Scrapy's


@pytest.mark.parametrize(
    "coding,encode",
    [
        (b"br", brotlicffi.compress),
        (b"deflate", zlib.compress),
        (b"deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib wrapper
        (b"gzip, br", lambda data: brotlicffi.compress(gzip.compress(data))),
    ],
)
def test_br_and_deflate_become_the_html_page(
    detections: list[bytes], coding: bytes, encode: object
) -> None:
    url = "http://example.org/a"
    request = Request(url)
    raw = Response(
        url,
        body=encode(PAGE.encode("utf-8")),  # type: ignore[operator]
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": coding},
        request=request,
    )
    out = _through(raw, request)
    assert isinstance(out, HtmlResponse)
    assert out.text == PAGE
    assert b"Content-Encoding" not in out.headers
    assert detections == []


@pytest.mark.parametrize(
    "coding,body",
    [
        (b"br", b"not brotli at all"),
        (b"gzip", gzip.compress(PAGE.encode())[:20]),  # truncated
        (b"deflate", b"\x00\x01garbage"),
    ],
)
def test_an_undecodable_body_is_logged_with_its_url_counted_and_ignored(
    caplog: pytest.LogCaptureFixture, coding: bytes, body: bytes
) -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    middleware = EncodedBodyMiddleware.from_crawler(crawler)
    request = Request("http://example.org/broken")
    raw = HtmlResponse(request.url, body=body, headers={"Content-Encoding": coding})
    with caplog.at_level(logging.WARNING), pytest.raises(IgnoreRequest):
        middleware.process_response(request, raw)
    assert crawler.stats.get_value(STAT_DECODE_FAILED) == 1
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "http://example.org/broken" in record.getMessage()
    assert coding.decode() in record.getMessage()


def test_a_decompression_bomb_stops_at_download_maxsize() -> None:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 100_000})
    crawler.stats.open_spider()
    middleware = EncodedBodyMiddleware.from_crawler(crawler)
    request = Request("http://example.org/bomb")
    bomb = brotlicffi.compress(b"\x00" * 10_000_000)
    raw = Response(request.url, body=bomb, headers={"Content-Encoding": "br"})
    with pytest.raises(IgnoreRequest, match="100000"):
        middleware.process_response(request, raw)
    assert crawler.stats.get_value(STAT_DECODE_FAILED) == 1


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        (b"gzip", gzip.compress(PAGE.encode() * 50)[:-40]),  # cut short: lenient gunzip reads it
        (b"gzip", b"\x1f\x8b"),
        (b"gzip", b"<html>not gzip at all</html>"),
        (b"deflate", b"\x78\x9c\xff\xff"),
        (b"br", b"\x1b\xff\xff\xff"),
    ],
)
def test_body_that_does_not_decode_is_not_passed_on(coding: bytes, body: bytes) -> None:
    from scrapy.exceptions import IgnoreRequest

    crawler = get_crawler()
    crawler.stats.open_spider()
    request = Request("http://example.org/a")
    broken = HtmlResponse(
        request.url, body=body, headers={"Content-Type": "text/html", "Content-Encoding": coding}
    )
    with pytest.raises(IgnoreRequest, match="undecodable Content-Encoding"):
        EncodedBodyMiddleware.from_crawler(crawler).process_response(request, broken)
    assert crawler.stats.get_value(STAT_DECODE_FAILED) == 1


@pytest.mark.parametrize("why", ["length", "dataloss"])
def test_incomplete_download_is_not_passed_on(why: str) -> None:
    from scrapy.exceptions import IgnoreRequest

    meta = {"nv_truncated": "length"} if why == "length" else {}
    request = Request("http://example.org/a", meta=meta)
    cut = HtmlResponse(
        request.url,
        body=PAGE.encode()[:20],
        headers={"Content-Type": "text/html"},
        flags=["dataloss"] if why == "dataloss" else [],
    )
    with pytest.raises(IgnoreRequest, match="incomplete body"):
        EncodedBodyMiddleware().process_response(request, cut)


def test_it_sits_just_above_http_compression() -> None:
    settings = get_crawler().settings
    from crawler.addon import COMPONENTS

    mws = {
        **settings.getdict("DOWNLOADER_MIDDLEWARES_BASE"),
        **COMPONENTS["DOWNLOADER_MIDDLEWARES"],
    }
    ours = mws["crawler.middlewares.EncodedBodyMiddleware"]
    theirs = mws["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
    above = [v for v in mws.values() if v is not None and theirs < v < ours]
    assert theirs < ours and not above
