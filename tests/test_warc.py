"""WARC writer: verbatim records from real Scrapy crawls, revisits, rotation, CDXJ, kill -9."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipelines.gzfiles import ClosedFile, iter_members
from pipelines.warc import (
    REVISIT_PROFILE,
    HttpCapture,
    WarcArchive,
    WarcConfig,
    cdxj_index,
    extract_outlinks,
    fix_response_headers,
    iter_records,
    read_record,
    validate_warc_member,
)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PAD = "<p>" + "Lorem ipsum dolor sit amet. " * 20 + "</p>"
ARTICLE = (
    "<!doctype html><html><head><title>Article one</title>"
    '<link rel="stylesheet" href="/style.css"></head><body>'
    '<a href="/gz">gzip page</a> <a href="chunked">chunked</a> '
    '<a href="/search?q=climate&amp;page=2#top">search</a> '
    "<a href='mailto:desk@example.org'>mail</a> <a href=\"#comments\">jump</a> "
    f'<img src="/img/a.png">{PAD}</body></html>'
).encode()
GZ_TEXT = ("<html><body>" + PAD * 3 + "gzip page</body></html>").encode()
CHUNKS = [b"<html><body>", PAD.encode(), b"chunked page</body></html>"]
DUP = ("<html><body>" + PAD + "same payload under two URLs</body></html>").encode()


@dataclass
class Seen:
    """What the test server received and sent, per path+query."""

    request_line: str
    headers: list[tuple[str, str]]
    body_sent: bytes
    body_received: bytes = b""


@dataclass
class TinyServer:
    """Threaded HTTP/1.1 server with the edge cases a WARC writer must keep verbatim."""

    seen: dict[str, list[Seen]] = field(default_factory=dict)
    delay: float = 0.0

    def start(self) -> TinyServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = b"<html>thanks for " + body + b"</html>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
                server.seen.setdefault(self.path, []).append(
                    Seen(self.requestline, list(self.headers.items()), reply, body)
                )

            def do_GET(self) -> None:
                if self.path == "/truncated":
                    # promise 2000 bytes, send 500, hang up
                    self.send_response(200)
                    self.send_header("Content-Length", "2000")
                    self.end_headers()
                    self.wfile.write(b"x" * 500)
                    self.wfile.flush()
                    self.close_connection = True
                    server.seen.setdefault(self.path, []).append(
                        Seen(self.requestline, list(self.headers.items()), b"x" * 500)
                    )
                    return
                if server.delay:
                    time.sleep(server.delay)
                status, headers, body, chunks = server.route(self.path)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if chunks is not None:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                    sent = b"".join(chunks)
                else:
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    sent = body
                server.seen.setdefault(self.path, []).append(
                    Seen(self.requestline, list(self.headers.items()), sent)
                )

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path: str) -> tuple[int, list[tuple[str, str]], bytes, list[bytes] | None]:
        html = [("Content-Type", "text/html; charset=utf-8")]
        if path == "/article/1":
            cookies = [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/; HttpOnly")]
            extra = [("X-Note", "café"), ("etag", '"v1"')]
            return 200, html + cookies + extra, ARTICLE, None
        if path == "/gz":
            return 200, [*html, ("Content-Encoding", "gzip")], gzip.compress(GZ_TEXT), None
        if path == "/chunked":
            return 200, html, b"", CHUNKS
        if path.startswith("/search?"):
            return 200, html, f"<html><body>results for {path}{PAD}</body></html>".encode(), None
        if path in ("/dup-a", "/dup-b"):
            return 200, html, DUP, None
        if path == "/redirect":
            return 301, [("Location", "/article/1")], b"", None
        if path.startswith("/page/"):
            n = int(path.rsplit("/", 1)[1])
            links = "".join(f'<a href="/page/{n * 4 + i}">p</a>' for i in range(1, 5))
            return 200, html, f"<html><body>page {n} {links}{PAD}</body></html>".encode(), None
        return 404, html, b"<html>not found</html>", None


CRAWL_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    cfg = json.load(open(sys.argv[1]))

    class Spider(scrapy.Spider):
        name = "t"
        custom_settings = {}

        async def start(self):
            for i, url in enumerate(cfg["urls"]):
                yield scrapy.Request(
                    url, dont_filter=True, priority=-i,
                    meta={"nv_discovery": {"via": "start", "from": cfg["base"] + "/"},
                          "nv_source": "tiny"},
                )
            for url, body in cfg.get("posts", []):
                yield scrapy.Request(url, method="POST", body=body, dont_filter=True,
                                     headers={"Content-Type": "text/plain"})

        def parse(self, response):
            yield {"url": response.url, "status": response.status,
                   "warc": response.meta.get("nv_warc")}
            if cfg.get("follow"):
                for href in response.css("a::attr(href)").getall():
                    yield response.follow(href, meta={"nv_discovery": {"via": "section",
                                                      "from": response.url}})

    process = CrawlerProcess(settings=cfg["settings"])
    crawler = process.create_crawler(Spider)
    process.crawl(crawler)
    process.start()
    with open(cfg["stats"], "w") as fh:
        json.dump(crawler.stats.get_stats(), fh, default=str)
    """
)


def crawl_settings(tmp: Path, **extra: Any) -> dict[str, Any]:
    return {
        "ARCHIVE_STORAGE_SPOOL": str(tmp / "spool"),
        "ARCHIVE_STORAGE_WARC": str(tmp / "store" / "warc"),
        "ARCHIVE_STORAGE_JSON": str(tmp / "store" / "json"),
        "ARCHIVE_STORAGE_STATE": str(tmp / "store" / "state"),
        "ARCHIVE_STORAGE_MANIFESTS": str(tmp / "store" / "manifests"),
        "ARCHIVE_STATE_PATH": str(tmp / "state.sqlite"),
        "ARCHIVE_WARC_PREFIX": "test",
        "ARCHIVE_WARC_OPERATOR": "Test Operator <ops@example.org>",
        "ARCHIVE_CONFIG_HASH": "0123456789abcdef",
        "USER_AGENT": "newsvault-test/1.0 (+https://example.org/contact)",
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,*/*;q=0.8",
            "Accept-Language": "en",
            "Accept-Encoding": "gzip, deflate, br",
        },
        "ROBOTSTXT_OBEY": False,
        "EXTENSIONS": {"pipelines.warc.WarcWriterExtension": 100},
        "ITEM_PIPELINES": {"pipelines.cleaned_json.JsonLinesPipeline": 500},
        "CONCURRENT_REQUESTS": 1,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        **extra,
    }


def start_crawl(
    tmp: Path,
    base: str,
    urls: list[str],
    settings: dict[str, Any],
    follow: bool = False,
    posts: tuple[tuple[str, str], ...] = (),
) -> tuple[subprocess.Popen[bytes], Path]:
    script = tmp / "crawl.py"
    script.write_text(CRAWL_SCRIPT)
    stats = tmp / f"stats-{time.monotonic_ns()}.json"
    cfg = tmp / f"cfg-{time.monotonic_ns()}.json"
    cfg.write_text(
        json.dumps(
            {
                "urls": urls,
                "base": base,
                "settings": settings,
                "stats": str(stats),
                "follow": follow,
                "posts": list(posts),
            }
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script), str(cfg)],
        cwd=tmp,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return proc, stats


def run_crawl(
    tmp: Path,
    base: str,
    urls: list[str],
    settings: dict[str, Any],
    follow: bool = False,
    posts: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    proc, stats = start_crawl(tmp, base, urls, settings, follow, posts)
    out, _ = proc.communicate(timeout=120)
    log = out.decode("utf-8", "replace")
    assert proc.returncode == 0, log
    assert not re.search(r"\[(pipelines|scrapy)[.\w]*\] (ERROR|CRITICAL)", log), log
    return json.loads(stats.read_text())


def warc_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.warc.gz"))


def records_of(path: Path) -> list[Any]:
    out = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            record.raw_bytes = record.raw_stream.read()
            out.append(record)
    return out


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True
    )


def json_lines(root: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(root.rglob("*.jsonl.gz")):
        out.extend(json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines())
    return out


# ----------------------------------------------------------------- a real crawl, checked


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


def _capture(url: str, body: bytes, status: int = 200) -> HttpCapture:
    return HttpCapture(
        url=url,
        method="GET",
        request_target="/" + url.rsplit("/", 1)[1],
        request_headers=[(b"Host", b"example.org")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=status,
        response_headers=[(b"Content-Length", str(len(body)).encode())],
        body=body,
        ip_address="192.0.2.1",
    )


class FakeState:
    """Stands in for pipelines.state.StateIndex: digests from earlier runs."""

    def __init__(self) -> None:
        self.digests: dict[str, tuple[str, str]] = {}

    def lookup_digest(self, digest: str) -> tuple[str, str] | None:
        return self.digests.get(digest)

    def record_digest(self, digest: str, uri: str, warc_date: str) -> None:
        self.digests.setdefault(digest, (uri, warc_date))


def _archive(tmp_path: Path, state: FakeState, **config: Any) -> tuple[WarcArchive, list[Path]]:
    done: list[Path] = []

    def finisher(closed: ClosedFile) -> None:
        done.append(closed.path)

    archive = WarcArchive(
        WarcConfig(spool=tmp_path / "spool", **config),
        software="newsvault/test",
        state=state,
        finisher=finisher,
    )
    return archive, done


def test_revisit_across_runs_uses_the_state_index(tmp_path: Path) -> None:
    state = FakeState()
    body = b"x" * 1000
    first, _ = _archive(tmp_path / "one", state)
    r1 = first.write_capture(_capture("https://example.org/a", body))
    first.close()
    assert not r1.revisit
    assert state.digests[r1.payload_digest] == ("https://example.org/a", r1.warc_date)

    second, done = _archive(tmp_path / "two", state)
    r2 = second.write_capture(_capture("https://example.org/b", body))
    small = second.write_capture(_capture("https://example.org/c", b"tiny"))
    second.write_capture(_capture("https://example.org/d", b"tiny"))
    second.close()
    assert r2.revisit and not small.revisit
    recs = records_of(done[0].with_name(done[0].name))
    revisit = next(r for r in recs if r.rec_type == "revisit")
    assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == "https://example.org/a"
    assert revisit.rec_headers.get_header("WARC-Refers-To-Date") == r1.warc_date
    assert revisit.rec_headers.get_header("WARC-Refers-To") is None
    assert sum(r.rec_type == "response" for r in recs) == 2  # tiny payloads stay whole


def test_sha256_digests(tmp_path: Path) -> None:
    archive, done = _archive(tmp_path, FakeState(), digest="sha256")
    result = archive.write_capture(_capture("https://example.org/a", b"y" * 500))
    archive.close()
    assert result.payload_digest.startswith("sha256:")
    assert warcio_check(done[0]).returncode == 0
    response = next(r for r in records_of(done[0]) if r.rec_type == "response")
    assert response.rec_headers.get_header("WARC-Block-Digest").startswith("sha256:")


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


def test_fix_response_headers() -> None:
    headers = [
        (b"Content-Length", b"10"),
        (b"Transfer-Encoding", b"chunked"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
    ]
    assert fix_response_headers(headers, 4, method="GET", status=200) == [
        (b"Content-Length", b"4"),
        (b"X-Orig-Transfer-Encoding", b"chunked"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
    ]
    # HEAD and 304 keep the length of the representation they do not carry
    assert fix_response_headers(headers[:1], 0, method="HEAD", status=200) == headers[:1]
    assert fix_response_headers(headers[:1], 0, method="GET", status=304) == headers[:1]
    # no Content-Length is left absent: nothing to contradict the stored body
    assert fix_response_headers([(b"X", b"y")], 5, method="GET", status=200) == [(b"X", b"y")]


def test_extract_outlinks_resolves_base_and_skips_non_http() -> None:
    body = (
        b'<base href="https://cdn.example.org/x/"><a href="a.html">a</a>'
        b'<A HREF=/b?x=1&amp;y=2>b</A><a href="javascript:void(0)">j</a>'
        b'<a href="a.html#frag">dup</a><script src="//static.example.org/s.js"></script>'
    )
    assert extract_outlinks(body, "https://example.org/page") == [
        "https://cdn.example.org/x/a.html L a/@href",
        "https://cdn.example.org/b?x=1&y=2 L a/@href",
        "https://static.example.org/s.js E script/@src",
    ]


def test_validate_warc_member() -> None:
    record = b"WARC/1.1\r\nWARC-Type: metadata\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
    assert validate_warc_member(record)
    assert not validate_warc_member(record[:-2])
    assert not validate_warc_member(record.replace(b"3", b"4"))
    assert not validate_warc_member(b"HTTP/1.1 200 OK\r\n\r\n")


def test_index_noted_while_writing_equals_reading_the_file_back(tmp_path: Path) -> None:
    """The CDXJ written from what the writer knew is byte-identical to cdxj-indexer's."""
    state = FakeState()
    archive = WarcArchive(
        WarcConfig(spool=tmp_path / "spool", max_file_bytes=1800),
        software="newsvault/test",
        state=state,
    )

    def cap(url: str, body: bytes, headers: list[tuple[bytes, bytes]], **kw: Any) -> HttpCapture:
        return dataclasses.replace(_capture(url, body), response_headers=headers, **kw)

    body = random.Random(1).randbytes(1500)  # incompressible: files rotate by size
    captures = [
        cap(
            "https://example.org/a?b=1&C=2", body, [(b"Content-Type", b"text/html; charset=utf-8")]
        ),
        # the same payload again: a revisit record
        cap("https://example.org/copy", body, [(b"content-type", b"text/html")]),
        cap("https://example.org/none", b"plain", []),
        cap("https://example.org/odd", b"odd", [(b"Content-Type", b"  Text/HTML ;x=y  ")]),
        cap("https://example.org/empty", b"e", [(b"Content-Type", b"")]),
        cap("https://example.org/latin", b"l", [(b"Content-Type", b"text/\xe9t\xe9")]),
        cap("https://example.org/utf8", b"u", [(b"Content-Type", b"text/\xc3\xa9t\xc3\xa9")]),
        cap("https://example.org/missing", b"gone", [(b"Content-Type", b"text/html")], status=404),
        cap(
            "https://EXAMPLE.org:443/Path/%7Euser/",
            random.Random(2).randbytes(2000),
            [(b"Content-Type", b"text/html")],
        ),
        cap(
            "https://example.org/two", b"2", [(b"Content-Type", b"a/b"), (b"Content-Type", b"c/d")]
        ),
    ]
    for capture in captures:
        archive.write_capture(capture)
    archive.close()
    ready = sorted((tmp_path / "spool" / "ready" / "warc").rglob("*.warc.gz"))
    assert len(ready) >= 3  # rotation by size: lines went to the right files
    noted = {p.name: Path(str(p) + ".cdxj").read_text() for p in ready}
    assert sum(text.count("\n") for text in noted.values()) == len(captures)
    assert "warc/revisit" in "".join(noted.values())
    for path in ready:
        assert noted[path.name] == cdxj_index(path, path.name), path.name


def test_a_post_capture_makes_the_file_indexed_from_disk(tmp_path: Path) -> None:
    archive = WarcArchive(WarcConfig(spool=tmp_path / "spool"), software="newsvault/test")
    get = _capture("https://example.org/get", b"g")
    post = dataclasses.replace(
        _capture("https://example.org/form", b"ok"),
        method="POST",
        request_headers=[(b"Content-Type", b"application/x-www-form-urlencoded")],
        request_body=b"q=news",
    )
    archive.write_capture(get)
    archive.write_capture(post)
    name = archive.writer.current_name
    assert name is not None
    assert archive._index_lines[name] is None
    archive.close()
    (path,) = (tmp_path / "spool" / "ready" / "warc").rglob("*.warc.gz")
    text = Path(str(path) + ".cdxj").read_text()
    assert "__wb_method=post" in text  # cdxj-indexer's --post-append key
    assert text == cdxj_index(path, path.name)
