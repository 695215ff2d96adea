"""PrivateNetworkMiddleware: literal and resolved addresses, caching, the off switch."""

from __future__ import annotations

import ipaddress

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from crawler import middlewares
from crawler.middlewares import STAT_REFUSED, PrivateNetworkMiddleware, is_private_address


@pytest.mark.parametrize(
    ("ip", "private"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("93.184.216.34", False),
        ("2606:2800:220:1:248:1893:25c8:1946", False),
    ],
)
def test_is_private_address(ip, private):
    assert is_private_address(ipaddress.ip_address(ip)) is private


def _run(coro):
    """Drive a coroutine that awaits only already-fired Deferreds."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("coroutine did not finish synchronously")


@pytest.fixture
def mw(monkeypatch):
    calls = []

    def fake_resolve(host, port):
        calls.append(host)
        table = {"intranet.example": ["10.0.0.5"], "news.example": ["93.184.216.34"]}
        if host not in table:
            raise OSError("no such host")
        return [ipaddress.ip_address(a) for a in table[host]]

    monkeypatch.setattr(middlewares, "maybe_deferred_to_future", lambda d: d)
    monkeypatch.setattr(
        middlewares,
        "resolve_host",
        lambda host, port: defer.maybeDeferred(fake_resolve, host, port),
    )
    crawler = get_crawler()
    crawler.stats.open_spider()
    m = PrivateNetworkMiddleware.from_crawler(crawler)
    m.calls = calls
    return m


def test_literal_private_ip_refused_and_counted(mw):
    with pytest.raises(IgnoreRequest):
        _run(mw.process_request(Request("http://127.0.0.1:8080/x")))
    with pytest.raises(IgnoreRequest):
        _run(mw.process_request(Request("http://[::1]/x")))
    assert mw.stats.get_value(STAT_REFUSED) == 2
    assert mw.calls == []  # literals are never resolved


def test_resolved_hostnames_checked_and_cached(mw):
    assert _run(mw.process_request(Request("https://news.example/a"))) is None
    assert _run(mw.process_request(Request("https://news.example/b"))) is None
    with pytest.raises(IgnoreRequest):
        _run(mw.process_request(Request("http://intranet.example/admin")))
    with pytest.raises(IgnoreRequest):
        _run(mw.process_request(Request("http://intranet.example/other")))
    assert mw.calls == ["news.example", "intranet.example"]
    # Unresolvable names pass: the download reports the DNS error itself.
    assert _run(mw.process_request(Request("http://nowhere.example/"))) is None


def test_response_from_private_address_refused(mw):
    request = Request("https://news.example/a")
    ok = HtmlResponse(request.url, body=b"x", ip_address=ipaddress.ip_address("93.184.216.34"))
    assert mw.process_response(request, ok) is ok
    rebound = HtmlResponse(request.url, body=b"x", ip_address=ipaddress.ip_address("10.0.0.1"))
    with pytest.raises(IgnoreRequest):
        mw.process_response(request, rebound)


def test_switched_off_by_setting():
    crawler = get_crawler(settings_dict={"ARCHIVE_ALLOW_PRIVATE_NETWORKS": True})
    with pytest.raises(NotConfigured):
        PrivateNetworkMiddleware.from_crawler(crawler)
