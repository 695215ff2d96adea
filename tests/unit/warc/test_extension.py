"""The Scrapy glue of the WARC writer: settings and switching off."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.warc import (
    WarcConfig,
)


def test_extension_settings(tmp_path: Path) -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from pipelines.warc import WarcWriterExtension

    spool = {"ARCHIVE_STORAGE_SPOOL": str(tmp_path)}
    with pytest.raises(NotConfigured):
        WarcWriterExtension.from_crawler(
            get_crawler(settings_dict={**spool, "ARCHIVE_WARC_ENABLED": False})
        )
    with pytest.raises(ValueError, match=r"ARCHIVE_WARC_DIGEST \(warc.digest\) is 'md5'"):
        WarcWriterExtension.from_crawler(
            get_crawler(settings_dict={**spool, "ARCHIVE_WARC_DIGEST": "md5"})
        )
    config = WarcConfig.from_settings(get_crawler(settings_dict=spool).settings)
    assert (config.prefix, config.max_file_bytes, config.digest) == (
        "newsvault",
        1000 * 1024 * 1024,
        "sha1",
    )
    assert config.robots == "ignore"  # Scrapy's own default
    obey = get_crawler(settings_dict={**spool, "ROBOTSTXT_OBEY": True}).settings
    assert WarcConfig.from_settings(obey).robots == "obey"


def test_responses_from_private_peers_are_never_written(tmp_path: Path) -> None:
    """First answers, redirects and retries alike: the peer is checked before the write."""
    import ipaddress

    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from pipelines.gzfiles import ClosedFile
    from pipelines.warc import WarcArchive
    from pipelines.warc.extension import WarcWriterExtension

    crawler = get_crawler(settings_dict={"ARCHIVE_STORAGE_SPOOL": str(tmp_path)})
    crawler.stats.open_spider()
    ext = WarcWriterExtension.from_crawler(crawler)
    closed: list[ClosedFile] = []
    ext.archive = WarcArchive(
        ext.config,
        software="test",
        state=None,
        uploader=None,
        finisher=closed.append,
        on_stat=ext._stat,
    )

    def answer(status: int, ip: str, headers: dict[str, str] | None = None) -> None:
        # vetted by PrivateNetworkMiddleware (on whenever private networks are not allowed)
        request = Request(f"http://news.example/{status}-{ip}", meta={"nv_check_peer": True})
        response = HtmlResponse(
            request.url,
            status=status,
            body=b"<p>private</p>",
            headers=headers or {},
            ip_address=ipaddress.ip_address(ip),
            request=request,
        )
        ext.response_downloaded(response, request, spider=None)

    answer(200, "127.0.0.1")  # rebinding: the name answered loopback at connect time
    answer(302, "10.0.0.7", {"Location": "http://news.example/next"})  # a private redirect
    answer(503, "192.168.1.1")  # a retry that landed on a private address
    answer(200, "::ffff:127.0.0.1")  # IPv4-mapped loopback
    answer(200, "93.184.215.14")  # public: written
    ext.archive.close()
    assert crawler.stats.get_value("newsvault/warc/refused_private") == 4
    # warcinfo, then the public response and its request
    assert crawler.stats.get_value("newsvault/warc/records") == 3
    assert len(closed) == 1
    written = b"".join(data for _o, _l, data in iter_members_of(closed[0].path))
    assert b"WARC-IP-Address: 93.184.215.14" in written
    for private in (b"127.0.0.1", b"10.0.0.7", b"192.168.1.1"):
        assert private not in written


def iter_members_of(path: Path) -> list[tuple[int, int, bytes]]:
    from pipelines.gzfiles import iter_members

    with path.open("rb") as fh:
        return list(iter_members(fh))
