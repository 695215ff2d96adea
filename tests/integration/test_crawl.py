"""End to end: `scrapy crawl news` on the sample site finds every article, obeys robots.txt."""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.sample_site import SampleSite

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "meridian"
_STAT = re.compile(r"'(newsvault/[^']+)': (-?\d+)")


@dataclass
class CrawlResult:
    items: list[dict[str, Any]]
    stats: dict[str, int]
    log: str
    finish_reason: str = ""
    workdir: Path | None = None

    def stat(self, name: str) -> int:
        return self.stats.get(f"newsvault/source/{SOURCE}/{name}", 0)


def run_crawl(
    workdir: Path,
    site_url: str,
    *,
    name: str,
    spool: str = "spool",
    source_extra: str = "",
    crawl_extra: str = "",
    settings: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
    expect_exit: int = 0,
) -> CrawlResult:
    """Run `scrapy crawl news` from the repo root on a config of our own; read items and stats."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / f"{name}.yaml"
    config.write_text(
        f"""
storage:
  warc: {workdir}/archive/warc
  json: {workdir}/archive/json
  state: {workdir}/archive/state
  manifests: {workdir}/archive/manifests
  spool: {workdir}/{spool}
crawl:
  download_delay: 0
  autothrottle: false
  concurrency_per_domain: 8
  allow_private_networks: true
{crawl_extra}
sources:
  - name: {SOURCE}
    start_urls: ["{site_url}/"]
{source_extra}
"""
    )
    items_path = workdir / f"{name}.jsonl"
    # -s as well: these must hold whatever priority the config's values get.
    overrides = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, **(settings or {})}
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(items_path), *args]
    for key, value in overrides.items():
        command += ["-s", f"{key}={value}"]
    env = {**os.environ, "NEWSVAULT_CONFIG": str(config)}
    proc = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    (workdir / f"{name}.log").write_text(proc.stderr)
    assert proc.returncode == expect_exit, proc.stderr[-3000:]
    lines = items_path.read_text().splitlines() if items_path.exists() else []
    items = [json.loads(line) for line in lines if line.strip()]
    stats = {k: int(v) for k, v in _STAT.findall(proc.stderr)}
    reason = re.search(r"'finish_reason': '([^']*)'", proc.stderr)
    return CrawlResult(items, stats, proc.stderr, reason.group(1) if reason else "", workdir)


def path_of(url: str, base: str) -> str:
    assert url.startswith(base), url
    return url[len(base) :]


def fetched(site: SampleSite) -> list[str]:
    return [path for _method, path, _headers in site.requests]


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    # Our own instance: request logs and published extras stay out of other tests.
    with SampleSite() as s:
        yield s


@pytest.fixture(scope="module")
def crawl(site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    site.clear_requests()
    return run_crawl(tmp_path_factory.mktemp("crawl"), site.url, name="full")


def test_every_reachable_article_is_found_once(site, crawl):
    expected = site.expected()
    want = {a["canonical_path"] for a in expected["articles"]}
    got = [path_of(item["canonical_url"], site.url) for item in crawl.items]
    assert sorted(got) == sorted(want)  # each exactly once
    # One article is reachable only through each discovery path; all are found.
    for via, path in expected["only_via"].items():
        assert path in got, via
    assert crawl.stat("articles") == len(want)


def _shard_lines(archive: Path) -> list[dict[str, Any]]:
    lines = []
    for shard in sorted((archive / "json").rglob("*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            lines.extend(json.loads(line) for line in fh if line.strip())
    return lines


def test_every_published_article_matches_the_schema(crawl):
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "docs" / "article.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert crawl.workdir is not None
    published = _shard_lines(crawl.workdir / "archive")
    assert len(published) == len(crawl.items) >= 20
    for article in published:
        problems = [
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(article)
        ]
        assert not problems, (article["url"], problems)
    # `scrapy crawl news -O file` exports exactly what the shards hold
    by_url = {a["url"]: a for a in published}
    assert all(by_url[item["url"]] == item for item in crawl.items)


def test_the_article_dataclass_is_the_schema():
    from dataclasses import fields

    from crawler.items import Article, Comment, Provenance

    schema = json.loads((ROOT / "docs" / "article.schema.json").read_text())
    names = [f.name for f in fields(Article)]
    assert set(names) == set(schema["properties"]) == set(schema["required"])
    provenance = schema["properties"]["provenance"]
    assert {f.name for f in fields(Provenance)} == set(provenance["properties"])
    assert set(provenance["required"]) == set(provenance["properties"])
    comment = schema["$defs"]["comment"]
    assert {f.name for f in fields(Comment)} == set(comment["properties"])


def test_one_run_id_in_state_manifest_warcinfo_and_every_article(crawl):
    from pipelines.warc import iter_records

    assert crawl.workdir is not None
    archive = crawl.workdir / "archive"
    [manifest] = list((archive / "manifests").glob("*.json"))
    run_id = json.loads(manifest.read_text())["run_id"]
    assert manifest.name == f"{run_id}.json"
    assert [p.name for p in (archive / "state").iterdir()] == [f"state-{run_id}.sqlite"]
    with sqlite3.connect(archive / "state" / f"state-{run_id}.sqlite") as db:
        assert {row[0] for row in db.execute("SELECT DISTINCT run_id FROM articles")} == {run_id}
    warcs = sorted((archive / "warc").rglob("*.warc.gz"))
    assert warcs
    for warc in warcs:
        warcinfo = next(iter_records(warc))
        assert warcinfo.rec_type == "warcinfo"
        fields = dict(
            line.split(": ", 1) for line in warcinfo.payload.decode().splitlines() if ": " in line
        )
        assert fields["run-id"] == run_id, warc
    articles = _shard_lines(archive)
    assert articles and {a["provenance"]["run_id"] for a in articles} == {run_id}


def test_items_are_articles_not_sections(site, crawl):
    pages = site.expected()["pages"]
    listing = {pages["home"], pages["about"]}
    for section_pages in pages["sections"].values():
        listing.update(section_pages)
    fetched_paths = set(fetched(site))
    assert listing <= fetched_paths  # crawled for links ...
    got = {path_of(item["url"], site.url) for item in crawl.items}
    assert not got & listing  # ... but not turned into items


def test_no_robots_disallowed_url_is_fetched(site, crawl):
    robots = site.expected()["robots"]
    for path in fetched(site):
        assert not any(path.startswith(prefix) for prefix in robots["disallow"]), path
    # The site links to a disallowed page: it was seen, and refused.
    assert robots["disallowed_linked_paths"]
    assert crawl.stat("robots_denied") >= 1


def test_feeds_and_sitemaps_are_all_read(site, crawl):
    pages = site.expected()["pages"]
    paths = set(fetched(site))
    assert set(pages["feeds"].values()) <= paths  # RSS, Atom and JSON Feed, all advertised
    assert pages["sitemap_index"] in paths  # from robots.txt's Sitemap: line
    assert set(pages["sitemaps"].values()) <= paths  # index -> news, plain and .xml.gz


def test_one_article_under_two_urls_is_one_item(site, crawl):
    dup = site.expected()["oddities"]["duplicate"]
    paths = fetched(site)
    for alternate in dup["alternates"]:
        assert alternate in paths  # still fetched (and so archived) ...
    items = [i for i in crawl.items if path_of(i["canonical_url"], site.url) == dup["canonical"]]
    assert len(items) == 1  # ... but one article
    assert crawl.stat("duplicates") == len(dup["alternates"])
    # The tracking-parameter link was canonicalised before fetching.
    assert not [p for p in paths if "utm_" in p or "replytocom" in p]


def test_each_url_is_fetched_once(site, crawl):
    paths = fetched(site)
    repeated = {p for p in paths if paths.count(p) > 1}
    assert not repeated


def test_a_brotli_page_becomes_an_article(site, crawl):
    """Content-Encoding: br decodes in every venv (pywb's brotlipy shadows Google's brotli)."""
    expected = site.expected()
    [path] = expected["oddities"]["br_negotiated"]
    asked = [h.get("Accept-Encoding", "") for _m, p, h in site.requests if p == path]
    assert asked and all("br" in a for a in asked)  # so the site sent br
    truth = next(a for a in expected["articles"] if a["path"] == path)
    [item] = [i for i in crawl.items if path_of(i["canonical_url"], site.url) == path]
    assert item["title"] == truth["title"]
    assert all(p in item["text"] for p in truth["paragraphs"])
    assert [c["text"] for c in item["comments"]] == [c["text"] for c in truth["comments"]]
    assert crawl.stats.get("newsvault/decode/failed", 0) == 0
    assert crawl.stats["newsvault/decode/responses"] >= 1


def test_redirected_article_is_one_item(site, crawl):
    [redirect] = site.expected()["oddities"]["redirects"]
    assert redirect["from"] in fetched(site)
    got = [path_of(i["url"], site.url) for i in crawl.items]
    assert got.count(redirect["to"]) == 1


def test_per_source_stats(site, crawl):
    assert crawl.stat("fetched") == len(fetched(site))
    assert crawl.stat("discovered") >= crawl.stat("articles")
    assert crawl.stat("skipped_known") == 0
    assert crawl.stat("filtered_age") == 0


def test_max_age_days_filters_before_fetching(site, tmp_path):
    # A cutoff between the sample's oldest and newest articles, whatever today's date is.
    cutoff = datetime(2026, 11, 15, tzinfo=timezone.utc)
    days = (datetime.now(timezone.utc) - cutoff).days
    if days < 1:
        pytest.skip("the sample site's dates lie in the future on this clock")
    site.clear_requests()
    result = run_crawl(tmp_path, site.url, name="maxage", source_extra=f"    max_age_days: {days}")
    paths = fetched(site)
    old = [
        a["path"]
        for a in site.expected()["articles"]
        if re.match(r"/2026/11/(0\d|1[0-3])/", a["path"])  # dated in the URL, before cutoff
    ]
    assert old
    for path in old:
        assert path not in paths
    assert result.stat("filtered_age") >= len(old)
    assert result.items  # recent ones still come through
    # Whatever the route, no article older than the cutoff is written.
    for item in result.items:
        if item["published"]:
            published = datetime.fromisoformat(item["published"])
            if published.tzinfo is None:
                published = published.replace(tzinfo=timezone.utc)
            assert published >= cutoff - timedelta(days=1), item["url"]


def test_private_networks_refused_unless_allowed(site, tmp_path):
    site.clear_requests()
    result = run_crawl(
        tmp_path,
        site.url,
        name="private",
        settings={"ARCHIVE_ALLOW_PRIVATE_NETWORKS": False},
        expect_exit=1,  # nothing fetched: the crawl failed
    )
    assert fetched(site) == []
    assert result.items == []
    assert result.stats.get("newsvault/private_network/refused", 0) >= 1


def test_unknown_source_name_stops_the_crawl_in_one_line(site, tmp_path):
    site.clear_requests()
    result = run_crawl(
        tmp_path, site.url, name="bad", args=("-a", "source=nonesuch"), expect_exit=2
    )
    assert result.log.strip().splitlines() == [
        "newsvault: no source named 'nonesuch' in sources (meridian); "
        "check --source / -a source=NAME"
    ]
    assert fetched(site) == []
    assert not (tmp_path / "archive" / "manifests").exists()  # no manifest for a non-run


def test_ad_hoc_url_crawls_one_site(site, tmp_path):
    result = run_crawl(tmp_path, site.url, name="adhoc", args=("-a", f"url={site.url}/science/"))
    assert result.finish_reason == "finished"
    assert {item["source"] for item in result.items} == {"127.0.0.1"}
    assert result.stats["newsvault/source/127.0.0.1/articles"] == len(result.items) > 0
