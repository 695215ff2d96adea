"""URL canonicalisation and domain scoping."""

from __future__ import annotations

import pytest

from crawler.discovery.urls import canonicalize_url, in_domains, is_tracking_param, same_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM:443/a/B?x=1#frag", "https://news.example.com/a/B?x=1"),
        ("http://news.example:80", "http://news.example/"),
        ("http://news.example:8080/a", "http://news.example:8080/a"),
        (
            "https://n.example/a?utm_source=tw&id=7&UTM_Medium=x&fbclid=abc&gclid=1&page=2",
            "https://n.example/a?id=7&page=2",
        ),
        ("https://n.example/a?mc_cid=1&mc_eid=2", "https://n.example/a"),
        ("https://n.example/a?b=2&a=1", "https://n.example/a?b=2&a=1"),  # order kept
        ("https://n.example/a?q=a+b&empty=&&x", "https://n.example/a?q=a+b&empty=&x"),
        ("https://n.example./a", "https://n.example/a"),
        ("  https://n.example/a\n", "https://n.example/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://n.example/a/../b/./c", "https://n.example/b/c"),
        ("mailto:x@n.example", ""),
        ("javascript:void(0)", ""),
        ("https:///nohost", ""),
        ("http://n.example:99999/", ""),
    ],
)
def test_canonicalize(url, expected):
    assert canonicalize_url(url) == expected


def test_canonicalize_relative():
    assert canonicalize_url("../x?utm_campaign=1#c", "https://n.example/a/b/") == (
        "https://n.example/a/x"
    )


def test_tracking_params():
    assert is_tracking_param("utm_content")
    assert is_tracking_param("FBCLID")
    assert not is_tracking_param("id")
    assert not is_tracking_param("utmost")


def test_in_domains():
    assert in_domains("https://www.n.example/a", ["n.example"])
    assert in_domains("https://n.example/a", ["www.n.example"])
    assert in_domains("https://m.n.example/a", ["www.n.example"])
    assert not in_domains("https://evil-n.example/a", ["n.example"])
    assert not in_domains("https://n.example.evil/a", ["n.example"])
    assert in_domains("https://anything.example/", [])
    assert not in_domains("not a url", ["n.example"])
    assert in_domains("http://127.0.0.1:8080/x", ["127.0.0.1"])


def test_same_site():
    assert same_site("https://www.n.example/a", "https://n.example/b")
    assert not same_site("https://n.example/a", "https://o.example/b")


def test_malformed_urls_do_not_raise():
    assert canonicalize_url("http://[::1/x") == ""
    assert canonicalize_url("//[bad/x", "https://n.example/") == ""
