"""Two incremental runs of `scrapy crawl news` on the sample site write conforming WARC 1.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.test_crawl import run_crawl
from tests.sample_site import SampleSite
from tests.warc_conformance import Record, check_warcs, read_records


@dataclass
class TwoRuns:
    first: list[Path]
    second: list[Path]
    base: str

    def records(self, paths: list[Path]) -> list[Record]:
        return [rec for path in paths for rec in read_records(path)]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRuns]:
    tmp = tmp_path_factory.mktemp("conformance")
    with SampleSite() as site:
        run_crawl(tmp, site.url, name="run1", spool="spool-1")
        first = sorted((tmp / "archive" / "warc").rglob("*.warc.gz"))
        run_crawl(tmp, site.url, name="run2", spool="spool-2")
        every = sorted((tmp / "archive" / "warc").rglob("*.warc.gz"))
        yield TwoRuns(first, [p for p in every if p not in first], site.url)


def test_every_record_of_both_runs_conforms(two_runs: TwoRuns) -> None:
    assert two_runs.first and two_runs.second
    findings = check_warcs(two_runs.first + two_runs.second)
    assert findings == [], "\n".join(findings[:40])


def test_no_payload_digest_without_an_http_payload(two_runs: TwoRuns) -> None:
    records = two_runs.records(two_runs.first + two_runs.second)
    metadata = [r for r in records if r.rec_type == "metadata"]
    assert len(metadata) > 20
    for rec in records:
        if rec.rec_type in ("metadata", "warcinfo"):
            assert rec.get("WARC-Payload-Digest") is None, rec.where
            assert rec.get("WARC-Block-Digest"), rec.where


def test_robots_txt_is_a_revisit_in_the_second_run(two_runs: TwoRuns) -> None:
    robots = two_runs.base + "/robots.txt"
    first = [r for r in two_runs.records(two_runs.first) if r.get("WARC-Target-URI") == robots]
    second = [r for r in two_runs.records(two_runs.second) if r.get("WARC-Target-URI") == robots]
    assert [r.rec_type for r in first if r.rec_type in ("response", "revisit")] == ["response"]
    assert [r.rec_type for r in second if r.rec_type in ("response", "revisit")] == ["revisit"]


def test_requests_carry_the_ip_address_of_their_response(two_runs: TwoRuns) -> None:
    requests = [r for r in two_runs.records(two_runs.first) if r.rec_type == "request"]
    assert requests and all(r.get("WARC-IP-Address") == "127.0.0.1" for r in requests)


def test_revisits_keeping_headers_say_truncated_length(two_runs: TwoRuns) -> None:
    revisits = [r for r in two_runs.records(two_runs.second) if r.rec_type == "revisit"]
    assert revisits
    for rec in revisits:
        assert rec.block.startswith(b"HTTP/1.1 200")
        assert rec.get("WARC-Truncated") == "length"
