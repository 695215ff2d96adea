"""End to end: articles over several pages and comment pages become one article each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_crawl import CrawlResult, fetched, path_of, run_crawl
from tests.sample_site import SampleSite


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:  # our own: its request log and `gone` stay here
        yield s


@pytest.fixture(scope="module")
def expected(site: SampleSite) -> dict[str, Any]:
    return site.expected()


def entry(expected: dict[str, Any], key: str) -> dict[str, Any]:
    return next(a for a in expected["articles"] if a["key"] == key)


@pytest.fixture(scope="module")
def crawl(site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    site.clear_requests()
    return run_crawl(tmp_path_factory.mktemp("multipage"), site.url, name="first")


def source_stat(result: CrawlResult, name: str) -> int:
    """A per-source stat of a ``-a url=`` crawl (its source is named after the host)."""
    return sum(v for k, v in result.stats.items() if k.endswith(f"/{name}"))


def item_at(crawl: CrawlResult, url: str) -> dict[str, Any]:
    [item] = [i for i in crawl.items if i["url"] == url]
    return item


def test_an_article_over_three_pages_is_one_article(site, expected, crawl):
    truth = entry(expected, "tidal-lagoon")
    item = item_at(crawl, site.url + truth["path"])
    assert item["pages"] == [site.url + p for p in truth["pages"]]
    assert len(item["pages"]) == 3
    assert item["comment_pages"] == [] and item["missing_pages"] == []
    paragraphs = item["text"].split("\n\n")
    assert [p for p in paragraphs if p in truth["paragraphs"]] == truth["paragraphs"]
    assert item["word_count"] == len(item["text"].split())
    # no page of it is an article of its own, and each was fetched once
    published = {path_of(i["url"], site.url) for i in crawl.items}
    assert not published & set(truth["pages"][1:])
    paths = fetched(site)
    assert all(paths.count(p) == 1 for p in truth["pages"]), paths
    # its "next post" link (rel=next) is another article, published as itself
    night = entry(expected, "night-trains")
    assert item_at(crawl, site.url + night["path"])["pages"] == [site.url + night["path"]]


def test_comment_pages_are_merged_with_threads_across_pages(site, expected, crawl):
    truth = entry(expected, "night-trains")
    item = item_at(crawl, site.url + truth["path"])
    assert item["comment_pages"] == [site.url + p for p in truth["comment_pages"]]
    assert len(item["comment_pages"]) == 2
    got = [(c["id"], c["parent_id"], c["author"], c["text"]) for c in item["comments"]]
    want = [(c["id"], c["parent_id"], c["author"], c["text"]) for c in truth["comments"]]
    assert got == want  # in order, once each (page 2 repeats 703 and 704 above 705)
    assert ("705", "704") in {(c[0], c[1]) for c in got}  # the reply across the boundary
    assert [c["permalink"] for c in item["comments"]] == [
        f"{site.url}{c['page_path']}#{c['anchor']}" for c in truth["comments"]
    ]
    assert item["text"].split("\n\n") == truth["paragraphs"]  # the page's text, once


def test_every_page_is_archived_and_indexed(site, expected, crawl):
    import pyarrow.parquet as pq

    from pipelines.warc import iter_records

    assert crawl.workdir is not None
    warc_root = crawl.workdir / "archive" / "warc"
    urls = [
        site.url + p
        for key in ("tidal-lagoon", "night-trains")
        for p in entry(expected, key)["pages"] + entry(expected, key)["comment_pages"]
    ]
    assert len(urls) == 6
    records: dict[str, set[str]] = {}
    for warc in sorted(warc_root.rglob("*.warc.gz")):
        for record in iter_records(warc):
            records.setdefault(record.target_uri or "", set()).add(record.rec_type)
    cdxj = "".join(p.read_text() for p in warc_root.rglob("*.cdxj"))
    [index] = list(warc_root.rglob("*.parquet"))
    indexed = set(pq.read_table(index, columns=["url"]).column("url").to_pylist())
    for url in urls:
        assert {"request", "response", "metadata"} <= records.get(url, set()), url
        assert url in indexed, url
        assert path_of(url, site.url) in cdxj, url


def test_a_second_run_knows_every_page(site, expected, crawl):
    assert crawl.workdir is not None
    site.clear_requests()
    second = run_crawl(crawl.workdir, site.url, name="second", spool="spool-2")
    paths = set(fetched(site))
    for key in ("tidal-lagoon", "night-trains"):
        truth = entry(expected, key)
        assert not paths & {*truth["pages"], *truth["comment_pages"]}, key
    assert second.items == []


def test_a_further_page_that_fails_leaves_the_article_with_the_rest(site, expected, tmp_path):
    truth = entry(expected, "tidal-lagoon")
    gone = truth["pages"][2]
    site.gone.add(gone)
    try:
        result = run_crawl(
            tmp_path, site.url, name="gone", args=("-a", f"url={site.url}{truth['path']}")
        )
    finally:
        site.gone.discard(gone)
    item = item_at(result, site.url + truth["path"])
    assert item["pages"] == [site.url + p for p in truth["pages"][:2]]
    assert item["missing_pages"] == [site.url + gone]
    assert truth["paragraphs"][0] in item["text"] and truth["paragraphs"][-1] not in item["text"]
    assert source_stat(result, "continuation_failed") == 1
    assert result.stats["newsvault/extract/missing_pages"] == 1
    assert f"Could not fetch {site.url}{gone}" in result.log
    assert "WARNING" in next(line for line in result.log.splitlines() if "Could not fetch" in line)


def test_the_page_cap_stops_the_chain(site, expected, tmp_path):
    truth = entry(expected, "tidal-lagoon")
    result = run_crawl(
        tmp_path,
        site.url,
        name="capped",
        crawl_extra="  max_article_pages: 2",
        args=("-a", f"url={site.url}{truth['path']}"),
    )
    item = item_at(result, site.url + truth["path"])
    assert item["pages"] == [site.url + p for p in truth["pages"][:2]]
    assert item["missing_pages"] == [site.url + truth["pages"][2]]
    # the crawl reached night-trains too: one of its two comment pages fits under the cap
    night = entry(expected, "night-trains")
    other = item_at(result, site.url + night["path"])
    assert other["comment_pages"] == [site.url + night["comment_pages"][0]]
    assert other["missing_pages"] == [site.url + night["comment_pages"][1]]
    assert source_stat(result, "pages_capped") == 2
    assert "crawl.max_article_pages" in result.log
