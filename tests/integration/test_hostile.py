"""Hostile pages on 127.0.0.1: archived as what they are, never extracted as what they are not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile_site import MB, HostileSite, case_url
from tests.integration.test_crawl import CrawlResult, run_crawl
from tests.warc_helpers import records_of, warc_files


@pytest.fixture(scope="module")
def site() -> Iterator[HostileSite]:
    with HostileSite() as s:
        yield s


def responses(root: Path) -> dict[str, Any]:
    """WARC response records by target URI (the last one wins)."""
    out = {}
    for path in warc_files(root):
        for record in records_of(path):
            if record.rec_type == "response":
                out[record.rec_headers.get_header("WARC-Target-URI")] = record
    return out


@pytest.fixture(scope="module")
def crawl(site: HostileSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(
        tmp_path_factory.mktemp("hostile"),
        site.url,
        name="hostile",
        crawl_extra="  max_page_mb: 2\nextraction:\n  max_html_mb: 1\n  workers: 1",
    )


def test_control_page_is_archived_and_extracted(site, crawl):
    assert [item["url"] for item in crawl.items] == [case_url(site.url, "ok")]


def test_oversized_response_is_cut_at_max_page_mb(site, crawl):
    records = responses(crawl.workdir / "archive" / "warc")
    for case in ("oversized", "oversized-chunked"):
        record = records[case_url(site.url, case)]
        assert record.rec_headers.get_header("WARC-Truncated") == "length", case
        assert len(record.raw_bytes) == 2 * MB, case
    assert crawl.stats["newsvault/download/truncated_length"] == 2


def test_response_shorter_than_its_content_length_is_kept_as_disconnect(site, crawl):
    record = responses(crawl.workdir / "archive" / "warc")[case_url(site.url, "short")]
    assert record.rec_headers.get_header("WARC-Truncated") == "disconnect"
    assert len(record.raw_bytes) == 4000
    # not retried: the server sent what it sent; not extracted: half a page is no article
    assert site.requests.count("/2024/05/14/short-story") == 1
    assert crawl.stats["newsvault/download/incomplete"] == 3  # with the two cut ones


def test_undecodable_content_encoding_is_archived_verbatim_not_extracted(site, crawl):
    records = responses(crawl.workdir / "archive" / "warc")
    for case in ("bad-gzip", "not-gzip"):
        record = records[case_url(site.url, case)]
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.rec_headers.get_header("WARC-Truncated") is None
    assert crawl.stats["newsvault/decode/failed"] == 2
    warnings = [line for line in crawl.log.splitlines() if "does not decode" in line]
    assert len(warnings) == 2 and all("WARNING" in line for line in warnings)


def test_binary_and_huge_html_are_archived_not_extracted(site, crawl):
    records = responses(crawl.workdir / "archive" / "warc")
    assert case_url(site.url, "binary") in records
    assert case_url(site.url, "huge-html") in records
    assert crawl.stats["newsvault/extract/binary"] == 1
    assert crawl.stats["newsvault/extract/too_large"] == 1
    lines = [line for line in crawl.log.splitlines() if "[pipelines.extraction]" in line]
    assert len(lines) == 2 and all("WARNING" in line for line in lines)


def test_dns_rebinding_never_reaches_the_archive(site, tmp_path):
    """The name answers a public address to the pre-flight check, then 127.0.0.1."""
    site.requests.clear()
    start = f"http://news.rebind.lan:{site.port}"
    result = run_crawl(
        tmp_path,
        start,
        name="rebind",
        settings={
            "ARCHIVE_ALLOW_PRIVATE_NETWORKS": False,
            "TWISTED_DNS_RESOLVER": "tests.rebind_resolver.RebindingResolver",
        },
        expect_exit=1,  # its one source answered nothing usable: a failed crawl
    )
    assert site.requests  # the rebound name did connect to the "private" service
    assert result.items == []
    assert result.stats["newsvault/private_network/refused"] >= 1
    assert result.stats["newsvault/warc/refused_private"] >= 1
    for path in warc_files(tmp_path / "archive"):
        for record in records_of(path):
            assert record.rec_headers.get_header("WARC-IP-Address") != "127.0.0.1"
            assert record.rec_type not in ("response", "request", "metadata")
