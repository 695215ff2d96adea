"""extraction.enabled: false archives WARCs, CDXJ, state and manifests without the extraction pool."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.integration.test_crawl import run_crawl
from tests.sample_site import SampleSite


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def test_archive_only_crawl_writes_warc_cdxj_state_and_manifest(site, tmp_path):
    extra = "extraction:\n  enabled: false\n"
    first = run_crawl(tmp_path, site.url, name="bare", source_extra=extra)
    archive = tmp_path / "archive"
    warcs = sorted((archive / "warc").rglob("*.warc.gz"))
    assert warcs and all(w.with_name(w.name + ".cdxj").exists() for w in warcs)
    assert not list(archive.rglob("*.jsonl.gz"))  # no article JSON
    assert not any(k.startswith("newsvault/extract/") for k in first.stats)  # no pool ran
    [manifest] = (archive / "manifests").glob("*.json")
    kinds = {f["kind"] for f in json.loads(manifest.read_text())["files"]}
    # the capture index covers the WARCs, so an archive-only crawl has one too
    assert kinds == {"warc", "cdxj", "index", "state"}, kinds
    articles = len(site.expected()["articles"])
    assert first.stat("articles") == articles
    assert first.stats["newsvault/state/articles_known"] == articles

    # the state it kept makes the next run incremental, as with extraction
    second = run_crawl(tmp_path, site.url, name="bare2", source_extra=extra)
    assert second.stat("articles") == 0
    assert second.stat("skipped_known") > 0
    assert second.stat("fetched") < first.stat("fetched") / 2  # known articles not fetched
