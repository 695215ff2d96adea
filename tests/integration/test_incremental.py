"""End to end: a second run fetches no known article but finds a newly published one."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_crawl import fetched, path_of, run_crawl
from tests.sample_site import SampleSite

NEWSVAULT = str(Path(sys.executable).parent / "newsvault")


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:  # our own: publish_extra() must not leak into other tests
        yield s


def known_article_paths(expected: dict) -> set[str]:
    paths: set[str] = set()
    for article in expected["articles"]:
        paths.add(article["path"])
        paths.add(article["canonical_path"])
        paths.update(article["alternate_paths"])
        paths.update(article["redirects_from"])
        # a multi-page article's further pages and comment pages are known with it
        paths.update(article["pages"])
        paths.update(article["comment_pages"])
    return paths


def test_second_run_fetches_only_new_articles(site, tmp_path):
    first = run_crawl(tmp_path, site.url, name="run1", spool="spool-1")
    expected = site.expected()
    assert len(first.items) == len(expected["articles"])
    known = known_article_paths(expected)

    extra = site.publish_extra()
    site.clear_requests()
    # A fresh spool, as on a fresh machine: the state comes from the archive's state store.
    second = run_crawl(tmp_path, site.url, name="run2", spool="spool-2")
    paths = fetched(site)
    assert not known & set(paths), sorted(known & set(paths))
    assert extra["path"] in paths
    assert [path_of(i["canonical_url"], site.url) for i in second.items] == [
        extra["canonical_path"]
    ]
    assert second.stat("skipped_known") >= len(expected["articles"])
    assert second.stats["newsvault/state/articles_known"] == len(expected["articles"]) + 1
    # Feeds and sections were all read again to find it; of the sitemaps, those whose
    # lastmod in the index moved (the new article is in them), not the unchanged one.
    pages = expected["pages"]
    assert set(pages["feeds"].values()) <= set(paths)
    assert pages["home"] in paths
    sitemaps = pages["sitemaps"]
    assert sitemaps["news"] in paths and sitemaps["sitemap-1"] in paths
    assert sitemaps["sitemap-2"] not in paths
    assert second.stat("sitemaps_unchanged") == 1

    # Re-visits: with a window covering every article, known ones are fetched again.
    site.clear_requests()
    third = run_crawl(
        tmp_path,
        site.url,
        name="run3",
        spool="spool-3",
        settings={"ARCHIVE_INCREMENTAL_REVISIT_DAYS": 36500},
    )
    assert third.stat("revisited") >= len(expected["articles"])
    assert third.stat("skipped_known") == 0
    assert third.stat("sitemaps_unchanged") == 0  # all changed within the window
    assert len(third.items) == len(expected["articles"]) + 1

    # Every run's manifest still holds after later runs: each stored its own state copy.
    checked = subprocess.run(
        [NEWSVAULT, "verify", str(tmp_path / "archive" / "manifests")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "checked 3 manifest(s)" in checked.stdout


def test_incremental_off_fetches_everything_again(site, tmp_path):
    run_crawl(tmp_path, site.url, name="a", spool="spool-a")
    site.clear_requests()
    again = run_crawl(
        tmp_path,
        site.url,
        name="b",
        spool="spool-b",
        settings={"ARCHIVE_INCREMENTAL_ENABLED": False},
    )
    assert again.stat("skipped_known") == 0
    assert len(again.items) == len(site.expected()["articles"])


def test_an_article_updated_since_its_capture_is_archived_again(site, tmp_path):
    first = run_crawl(tmp_path, site.url, name="u1", spool="spool-u1")
    expected = site.expected()
    assert len(first.items) == len(expected["articles"])
    # danube-flood: in the RSS feed (<updated>) and sitemap-1 (<lastmod>)
    updated = site.update_article("danube-flood")
    new_modified = site.articles()[[a.key for a in site.articles()].index("danube-flood")].modified
    site.clear_requests()
    second = run_crawl(tmp_path, site.url, name="u2", spool="spool-u2")
    paths = fetched(site)
    assert updated["path"] in paths
    # the other known articles are still skipped
    known = known_article_paths(expected) - {updated["path"], updated["canonical_path"]}
    assert not known & set(paths), sorted(known & set(paths))
    assert second.stat("revisited") == 1
    [item] = second.items
    assert path_of(item["canonical_url"], site.url) == updated["canonical_path"]
    assert item["modified"] is not None and item["modified"][:19] == new_modified[:19]
    # a new capture, not a revisit: the page changed
    assert item["provenance"]["warc_file"] not in {
        i["provenance"]["warc_file"] for i in first.items
    }
