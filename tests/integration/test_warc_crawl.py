"""WARC writer end to end: verbatim records from real Scrapy crawls, revisits, rotation, kill -9."""

from __future__ import annotations

import gzip
import io
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipelines.gzfiles import iter_members
from pipelines.warc import (
    REVISIT_PROFILE,
    iter_records,
    read_record,
    validate_warc_member,
)
from tests.warc_helpers import (
    BIN,
    CHUNKS,
    DUP,
    GZ_TEXT,
    TinyServer,
    crawl_settings,
    json_lines,
    records_of,
    run_crawl,
    start_crawl,
    warc_files,
    warcio_check,
)


@dataclass
class CrawlResult:
    server: TinyServer
    tmp: Path
    stats: dict[str, Any]
    files: list[Path]
    records: dict[Path, list[Any]]

    def by_type(self, rec_type: str) -> list[Any]:
        return [r for recs in self.records.values() for r in recs if r.rec_type == rec_type]

    def response_for(self, url: str) -> Any:
        matches = [
            r
            for r in self.by_type("response")
            if r.rec_headers.get_header("WARC-Target-URI") == url
        ]
        assert len(matches) == 1, url
        return matches[0]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlResult]:
    server = TinyServer().start()
    tmp = tmp_path_factory.mktemp("crawl")
    base = server.url
    urls = [
        f"{base}/article/1",
        f"{base}/gz",
        f"{base}/chunked",
        f"{base}/search?q=climate&page=2",
        f"{base}/dup-a",
        f"{base}/dup-b",
        f"{base}/dup-a",
        f"{base}/redirect",
    ]
    try:
        stats = run_crawl(tmp, base, urls, crawl_settings(tmp))
        files = warc_files(tmp / "store" / "warc")
        yield CrawlResult(server, tmp, stats, files, {f: records_of(f) for f in files})
    finally:
        server.stop()


def test_files_are_complete_named_shipped_and_pass_warcio_check(crawl: CrawlResult) -> None:
    assert len(crawl.files) == 1
    path = crawl.files[0]
    assert path.name.startswith("test-") and path.name.endswith(".warc.gz")
    assert path.parent.relative_to(crawl.tmp / "store" / "warc").as_posix().count("/") == 2
    assert not list((crawl.tmp / "spool").rglob("*.open"))
    result = warcio_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout
    # every record is its own gzip member
    with path.open("rb") as fh:
        members = list(iter_members(fh))
    assert len(members) == len(crawl.records[path])
    assert all(validate_warc_member(data) for _, _, data in members)


def test_warcinfo_first(crawl: CrawlResult) -> None:
    first = crawl.records[crawl.files[0]][0]
    assert first.rec_type == "warcinfo"
    assert first.rec_headers.protocol == "WARC/1.1"
    assert first.rec_headers.get_header("WARC-Filename") == crawl.files[0].name
    info = first.raw_bytes.decode()
    for expected in (
        "software: newsvault/",
        "Scrapy/",
        "operator: Test Operator <ops@example.org>",
        "robots: ignore",
        "http-header-user-agent: newsvault-test/1.0 (+https://example.org/contact)",
        "newsvault-config-hash: 0123456789abcdef",
        "format: WARC File Format 1.1",
        "conformsTo: https://iipc.github.io/",
        "hostname: ",
    ):
        assert expected in info


def test_bodies_are_byte_for_byte_what_the_server_sent(crawl: CrawlResult) -> None:
    base = crawl.server.url
    for path in ("/article/1", "/gz", "/chunked", "/search?q=climate&page=2"):
        record = crawl.response_for(base + path)
        assert record.raw_bytes == crawl.server.seen[path][0].body_sent, path
        cl = record.http_headers.get_header("Content-Length")
        assert cl is None or int(cl) == len(record.raw_bytes)
    gz = crawl.response_for(base + "/gz")
    assert gz.http_headers.get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(gz.raw_bytes) == GZ_TEXT
    chunked = crawl.response_for(base + "/chunked")
    assert chunked.http_headers.get_header("Transfer-Encoding") is None
    assert chunked.raw_bytes == b"".join(CHUNKS)


def test_response_status_line_headers_and_ip(crawl: CrawlResult) -> None:
    record = crawl.response_for(crawl.server.url + "/article/1")
    assert record.http_headers.protocol == "HTTP/1.1"
    assert record.http_headers.statusline == "200 OK"
    assert [v for n, v in record.http_headers.headers if n.lower() == "set-cookie"] == [
        "a=1; Path=/",
        "b=2; Path=/; HttpOnly",
    ]
    # a latin-1 header byte is stored as the byte the server sent, not %-encoded
    assert b"\r\nX-Note: caf\xe9\r\n" in gzip.decompress(
        _member_bytes(crawl, record.rec_headers.get_header("WARC-Record-ID"))
    )
    assert ("ETag", '"v1"') in record.http_headers.headers
    assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")


def _member_bytes(crawl: CrawlResult, record_id: str) -> bytes:
    for line in json_lines(crawl.tmp / "store" / "json"):
        if line["warc"]["record_id"] == record_id:
            with open(_find_file(crawl, line["warc"]["warc_file"]), "rb") as fh:
                fh.seek(line["warc"]["offset"])
                return fh.read(line["warc"]["length"])
    raise AssertionError(f"no item points at {record_id}")


def _find_file(crawl: CrawlResult, name: str) -> Path:
    return next(p for p in crawl.files if p.name == name)


def test_request_records_match_what_the_server_received(crawl: CrawlResult) -> None:
    requests = crawl.by_type("request")
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for r in crawl.by_type("response")}
    responses.update(
        {r.rec_headers.get_header("WARC-Record-ID"): r for r in crawl.by_type("revisit")}
    )
    assert len(requests) == 9  # 8 start URLs and the redirect's target
    count: dict[str, int] = {}
    for request in requests:
        target = request.http_headers.statusline.split(" ")[0]
        seen = crawl.server.seen[target][count.setdefault(target, 0)]
        count[target] += 1
        assert f"{request.http_headers.protocol} {request.http_headers.statusline}" == (
            seen.request_line
        )
        assert [(n.lower(), v) for n, v in request.http_headers.headers] == [
            (n.lower(), v) for n, v in seen.headers
        ]
        response = responses[request.rec_headers.get_header("WARC-Concurrent-To")]
        assert response.rec_headers.get_header("WARC-Date") == request.rec_headers.get_header(
            "WARC-Date"
        )
        assert response.rec_headers.get_header("WARC-Target-URI") == request.rec_headers.get_header(
            "WARC-Target-URI"
        )
    search = [r for r in requests if "search" in r.http_headers.statusline]
    assert search[0].http_headers.statusline == "/search?q=climate&page=2 HTTP/1.1"
    sent = dict(search[0].http_headers.headers)
    assert sent["Accept-Encoding"] == "gzip, deflate, br"
    assert sent["Host"] == crawl.server.url.removeprefix("http://")
    assert sent["Cookie"] == "a=1; b=2"  # added by CookiesMiddleware, so recorded


def test_revisits_for_repeated_payloads(crawl: CrawlResult) -> None:
    base = crawl.server.url
    dups = [
        r
        for r in crawl.by_type("response") + crawl.by_type("revisit")
        if r.rec_headers.get_header("WARC-Target-URI") in (base + "/dup-a", base + "/dup-b")
    ]
    assert sorted(r.rec_type for r in dups) == ["response", "revisit", "revisit"]
    original = next(r for r in dups if r.rec_type == "response")
    assert original.raw_bytes == DUP
    for revisit in (r for r in dups if r.rec_type == "revisit"):
        h = revisit.rec_headers
        assert h.get_header("WARC-Profile") == REVISIT_PROFILE
        assert h.get_header("WARC-Refers-To-Target-URI") == original.rec_headers.get_header(
            "WARC-Target-URI"
        )
        assert h.get_header("WARC-Refers-To-Date") == original.rec_headers.get_header("WARC-Date")
        assert h.get_header("WARC-Refers-To") == original.rec_headers.get_header("WARC-Record-ID")
        assert h.get_header("WARC-Payload-Digest") == original.rec_headers.get_header(
            "WARC-Payload-Digest"
        )
        assert revisit.raw_bytes == b""
        assert revisit.http_headers.statusline == "200 OK"
    # the redirect's target is /article/1 again: the same URL refetched is a revisit too
    again = [
        r
        for r in crawl.by_type("revisit")
        if r.rec_headers.get_header("WARC-Target-URI") == base + "/article/1"
    ]
    assert len(again) == 1
    assert crawl.stats["newsvault/warc/revisits"] == 3
    # a redirect is tiny: archived in full, never as a revisit
    redirect = crawl.response_for(base + "/redirect")
    assert redirect.http_headers.statusline == "301 Moved Permanently"
    assert redirect.http_headers.get_header("Location") == "/article/1"


def test_metadata_record_with_outlinks_and_discovery(crawl: CrawlResult) -> None:
    base = crawl.server.url
    response = crawl.response_for(base + "/article/1")
    meta = [
        r
        for r in crawl.by_type("metadata")
        if r.rec_headers.get_header("WARC-Concurrent-To")
        == response.rec_headers.get_header("WARC-Record-ID")
    ]
    assert len(meta) == 1
    assert meta[0].rec_headers.get_header("Content-Type") == "application/warc-fields"
    assert meta[0].rec_headers.get_header("WARC-Date") == response.rec_headers.get_header(
        "WARC-Date"
    )
    text = meta[0].raw_bytes.decode()
    assert f"via: {base}/\r\n" in text
    assert '"via": "start"' in text
    outlinks = [line.removeprefix("outlink: ") for line in text.splitlines() if "outlink" in line]
    assert outlinks == [
        f"{base}/style.css E link/@href",
        f"{base}/gz L a/@href",
        f"{base}/article/chunked L a/@href",
        f"{base}/search?q=climate&page=2 L a/@href",
        f"{base}/img/a.png E img/@src",
    ]


def test_items_carry_provenance_and_cdxj_fetches_the_right_record(crawl: CrawlResult) -> None:
    items = json_lines(crawl.tmp / "store" / "json")
    assert len(items) == 8  # the redirect's target reaches the callback once more
    for item in items:
        prov = item["warc"]
        path = _find_file(crawl, prov["warc_file"])
        with path.open("rb") as fh:
            fh.seek(prov["offset"])
            member = fh.read(prov["length"])
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.rec_headers.get_header("WARC-Record-ID") == prov["record_id"]
        assert record.rec_headers.get_header("WARC-Date") == prov["warc_date"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == prov["payload_digest"]
        assert prov["revisit"] == (record.rec_type == "revisit")

    cdxj = Path(str(crawl.files[0]) + ".cdxj")
    lines = cdxj.read_text().splitlines()
    assert len(lines) == len(crawl.by_type("response")) + len(crawl.by_type("revisit"))
    for line in lines:
        _urlkey, ts, blob = line.split(" ", 2)
        entry = json.loads(blob)
        assert entry["filename"] == crawl.files[0].name
        with crawl.files[0].open("rb") as fh:
            fh.seek(int(entry["offset"]))
            member = fh.read(int(entry["length"]))
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        assert (
            record.rec_headers.get_header("WARC-Date")
            .replace("-", "")
            .replace(":", "")
            .replace("T", "")
            .startswith(ts)
        )
    # identical to what the reference indexer writes for the same file
    reference = subprocess.run(
        [str(BIN / "cdxj-indexer"), "--sort", "--post-append", str(crawl.files[0])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert cdxj.read_text() == reference


def test_read_record_for_tools(crawl: CrawlResult) -> None:
    items = {i["url"]: i["warc"] for i in json_lines(crawl.tmp / "store" / "json")}
    prov = items[crawl.server.url + "/gz"]
    record = read_record(_find_file(crawl, prov["warc_file"]), prov["offset"], prov["length"])
    assert record.rec_type == "response"
    assert record.record_id == prov["record_id"]
    assert record.target_uri == crawl.server.url + "/gz"
    assert (record.http_protocol, record.http_status) == ("HTTP/1.1", 200)
    assert record.http_header("content-encoding") == "gzip"
    assert record.payload == crawl.server.seen["/gz"][0].body_sent
    assert record.decoded_payload() == GZ_TEXT
    stored = list(iter_records(crawl.files[0]))
    assert [r.rec_type for r in stored] == [r.rec_type for r in crawl.records[crawl.files[0]]]


def test_stats(crawl: CrawlResult) -> None:
    n_records = sum(len(r) for r in crawl.records.values())
    assert crawl.stats["newsvault/warc/records"] == n_records
    assert crawl.stats["newsvault/warc/files"] == 1
    assert crawl.stats["newsvault/warc/bytes"] == crawl.files[0].stat().st_size
    assert crawl.stats["newsvault/json/records"] == 8
    assert crawl.stats["newsvault/json/files"] == 1


# ----------------------------------------------------------------- rotation and kill -9


def test_rotation_at_max_size(tmp_path: Path) -> None:
    server = TinyServer().start()
    try:
        urls = [f"{server.url}/page/{i}" for i in range(12)]
        settings = crawl_settings(tmp_path, ARCHIVE_WARC_MAX_FILE_MB=0.004)
        stats = run_crawl(tmp_path, server.url, urls, settings)
    finally:
        server.stop()
    files = warc_files(tmp_path / "store" / "warc")
    assert len(files) >= 3
    assert stats["newsvault/warc/files"] == len(files)
    responses = 0
    for path in files:
        assert warcio_check(path).returncode == 0
        recs = records_of(path)
        assert recs[0].rec_type == "warcinfo"
        assert recs[0].rec_headers.get_header("WARC-Filename") == path.name
        assert Path(str(path) + ".cdxj").is_file()
        responses += sum(r.rec_type == "response" for r in recs)
        # request and response of one capture never straddle two files
        ids = {r.rec_headers.get_header("WARC-Record-ID") for r in recs}
        for r in recs:
            if r.rec_type == "request":
                assert r.rec_headers.get_header("WARC-Concurrent-To") in ids
        # rotated once full: only the last record may cross the limit
        assert path.stat().st_size - 0.004 * 1024 * 1024 < 4096
    assert responses == 12


def test_kill_9_mid_crawl_then_next_run_recovers_and_ships(tmp_path: Path) -> None:
    server = TinyServer(delay=0.01).start()
    settings = crawl_settings(
        tmp_path, CONCURRENT_REQUESTS=4, ARCHIVE_JSON_MAX_RECORDS=10**6, LOG_LEVEL="WARNING"
    )
    try:
        proc, _ = start_crawl(tmp_path, server.url, [f"{server.url}/page/1"], settings, follow=True)
        open_dir = tmp_path / "spool" / "open"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            opened = list(open_dir.glob("*.warc.gz.open")) if open_dir.is_dir() else []
            if opened and opened[0].stat().st_size > 60_000:
                break
            time.sleep(0.05)
        else:
            pytest.fail("crawl wrote nothing")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left = sorted(open_dir.glob("*.open"))
        assert any(p.name.endswith(".warc.gz.open") for p in left)
        assert any(p.name.endswith(".jsonl.gz.open") for p in left)
        # make sure a record was cut mid-write, whatever instant the kill hit
        killed = next(p for p in left if p.name.endswith(".warc.gz.open"))
        data = killed.read_bytes()
        members = list(iter_members(io.BytesIO(data)))
        complete = data[: members[-1][0] + members[-1][1]]
        killed.write_bytes(complete + data[: members[0][1] // 2])

        # the next run recovers the leftovers at start, before fetching anything
        stats = run_crawl(tmp_path, server.url, [], crawl_settings(tmp_path))
    finally:
        server.stop()
    assert not list(open_dir.glob("*.open"))
    assert stats.get("newsvault/json/files", 0) >= 1
    files = warc_files(tmp_path / "store" / "warc")
    recovered = [p for p in files if p.name == killed.name.removesuffix(".open")]
    assert len(recovered) == 1
    assert recovered[0].read_bytes() == complete  # truncated to the last complete record
    ids = set()
    for path in files:
        result = warcio_check(path)
        assert result.returncode == 0, result.stdout
        assert Path(str(path) + ".cdxj").is_file()
        ids |= {r.rec_headers.get_header("WARC-Record-ID") for r in records_of(path)}
    items = json_lines(tmp_path / "store" / "json")
    assert len(items) > 10
    missing = [i["warc"]["record_id"] for i in items if i["warc"]["record_id"] not in ids]
    assert missing == []


def test_post_request_and_truncated_response(tmp_path: Path) -> None:
    server = TinyServer().start()
    try:
        run_crawl(
            tmp_path,
            server.url,
            [f"{server.url}/truncated"],
            crawl_settings(tmp_path, DOWNLOAD_FAIL_ON_DATALOSS=False),
            posts=((f"{server.url}/form?x=1", "q=news&lang=en"),),
        )
    finally:
        server.stop()
    (path,) = warc_files(tmp_path / "store" / "warc")
    assert warcio_check(path).returncode == 0
    recs = records_of(path)

    post = next(r for r in recs if r.rec_type == "request" and "/form" in r.http_headers.statusline)
    seen = server.seen["/form?x=1"][0]
    assert f"{post.http_headers.protocol} {post.http_headers.statusline}" == seen.request_line
    assert post.http_headers.protocol == "POST"
    assert [(n.lower(), v) for n, v in post.http_headers.headers] == [
        (n.lower(), v) for n, v in seen.headers
    ]
    assert post.http_headers.headers[0] == ("Content-Length", "14")  # Twisted writes it first
    assert post.raw_bytes == seen.body_received == b"q=news&lang=en"

    cut = next(
        r
        for r in recs
        if r.rec_type == "response" and "truncated" in r.rec_headers.get_header("WARC-Target-URI")
    )
    assert cut.raw_bytes == b"x" * 500
    assert cut.http_headers.get_header("Content-Length") == "500"
    assert cut.rec_headers.get_header("WARC-Truncated") == "disconnect"


def test_revisits_across_runs_via_the_incremental_state(tmp_path: Path) -> None:
    server = TinyServer().start()
    try:
        run_crawl(tmp_path, server.url, [f"{server.url}/dup-a"], crawl_settings(tmp_path))
        first_files = warc_files(tmp_path / "store" / "warc")
        stats = run_crawl(
            tmp_path,
            server.url,
            [f"{server.url}/dup-a", f"{server.url}/dup-b"],
            crawl_settings(tmp_path),
        )
    finally:
        server.stop()
    assert len(first_files) == 1
    original = next(r for r in records_of(first_files[0]) if r.rec_type == "response")
    second = [p for p in warc_files(tmp_path / "store" / "warc") if p not in first_files]
    assert len(second) == 1
    recs = records_of(second[0])
    assert not [r for r in recs if r.rec_type == "response"]
    revisits = [r for r in recs if r.rec_type == "revisit"]
    assert len(revisits) == 2 == stats["newsvault/warc/revisits"]
    for revisit in revisits:
        assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == server.url + "/dup-a"
        assert revisit.rec_headers.get_header(
            "WARC-Refers-To-Date"
        ) == original.rec_headers.get_header("WARC-Date")
    assert warcio_check(second[0]).returncode == 0


# ----------------------------------------------------------------- pure units
