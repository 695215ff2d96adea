"""End to end on `SampleSite(traps=True)`: the habits of a careful archival crawler.

Redirect chains, hreflang editions, listings dressed as articles, robots.txt Crawl-delay.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator

import pytest

from tests.integration.test_crawl import CrawlResult, fetched, path_of, run_crawl
from tests.sample_site import SampleSite, traps


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite(traps=True) as s:
        yield s


@pytest.fixture(scope="module")
def crawl(site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    site.clear_requests()
    # depth 1: home's links are fetched, nothing linked from them
    return run_crawl(
        tmp_path_factory.mktemp("traps"), site.url, name="traps", crawl_extra="  depth_limit: 1"
    )


def item_paths(crawl: CrawlResult, site: SampleSite) -> list[str]:
    return [path_of(item["canonical_url"], site.url) for item in crawl.items]


def test_a_redirect_chain_is_one_link_deep(site: SampleSite, crawl: CrawlResult) -> None:
    paths = fetched(site)
    assert all(hop in paths for hop in traps.CHAIN_HOPS)
    assert traps.CHAIN.path in paths
    assert traps.CHAIN.path in item_paths(crawl, site)


def test_hreflang_editions_in_the_head_and_in_sitemaps(
    site: SampleSite, crawl: CrawlResult
) -> None:
    got = item_paths(crawl, site)
    assert traps.HREFLANG_EN.path in got  # listed in /sitemap-intl.xml
    assert traps.HEAD_EDITION.path in got  # only in the English page's <head>
    assert traps.SITEMAP_EDITION.path in got  # only as the sitemap's xhtml:link
    # the editions off the source's domains are not fetched
    assert not [i for i in crawl.items if "elsewhere.example" in i["url"]]


def test_listings_with_article_metadata_are_not_articles(
    site: SampleSite, crawl: CrawlResult
) -> None:
    paths = fetched(site)
    for listing in traps.LISTINGS:
        assert listing in paths  # fetched (and archived) as pages
        assert listing not in item_paths(crawl, site)
    # and nothing else went missing: every article of the site, each once
    want = {a["canonical_path"] for a in site.expected()["articles"]}
    assert sorted(item_paths(crawl, site)) == sorted(want)


def test_crawl_delay_is_obeyed_even_with_autothrottle(tmp_path) -> None:
    with SampleSite(crawl_delay=0.5) as delayed:
        result = run_crawl(
            tmp_path,
            delayed.url,
            name="delay",
            crawl_extra="  max_pages: 8",
            settings={"AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": 0},
        )
        times = delayed.request_times
    assert result.stats["newsvault/robots/crawl_delay_ms"] == 500
    assert len(times) >= 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Gaps are measured where the requests arrive, so thread scheduling on a loaded
    # machine shifts single ones by a few tens of ms; without the floor they are ~0 s,
    # and with Scrapy's jitter left on they would spread over 0.25-0.75 s.
    assert statistics.median(gaps) >= 0.48, gaps
    assert min(gaps) >= 0.35, gaps


def test_crawl_delay_is_capped(tmp_path) -> None:
    with SampleSite(crawl_delay=120) as slow:
        result = run_crawl(
            tmp_path,
            slow.url,
            name="capped",
            crawl_extra="  max_pages: 3\n  max_crawl_delay: 0.2",
        )
    assert result.stats["newsvault/robots/crawl_delay_ms"] == 200


def test_the_metadata_record_keeps_the_link_as_found(site: SampleSite, crawl: CrawlResult) -> None:
    from tests.warc_conformance import read_records

    assert crawl.workdir is not None
    records = [
        rec
        for path in sorted((crawl.workdir / "archive" / "warc").rglob("*.warc.gz"))
        for rec in read_records(path)
    ]
    fetched_url = site.url + traps.TRACKED_LISTING
    [meta] = [
        r for r in records if r.rec_type == "metadata" and r.get("WARC-Target-URI") == fetched_url
    ]
    lines = meta.block.decode().splitlines()
    assert f"foundAs: {fetched_url}{traps.TRACKING}" in lines
    # a link fetched as written has none
    [home] = [
        r
        for r in records
        if r.rec_type == "metadata" and r.get("WARC-Target-URI") == site.url + "/"
    ]
    assert not [line for line in home.block.decode().splitlines() if line.startswith("foundAs:")]
