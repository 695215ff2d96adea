"""Helpers of the WARC tests: a tiny HTTP server with edge cases, crawls, captures, reading."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from pipelines.gzfiles import ClosedFile
from pipelines.warc import HttpCapture, WarcArchive, WarcConfig

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
        "EXTENSIONS": {
            "pipelines.storage.UploadExtension": 10,
            "pipelines.state.StateExtension": 20,
            "pipelines.warc.WarcWriterExtension": 100,
        },
        "ITEM_PIPELINES": {"pipelines.cleaned_json.JsonLinesPipeline": 500},
        # newsvault's Content-Encoding removal: Scrapy's own br decoding fails wherever
        # pywb's brotlipy shadows Google's brotli (the sample site sends br when asked)
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.EncodedBodyMiddleware": 595},
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


def make_capture(url: str, body: bytes, status: int = 200) -> HttpCapture:
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


def make_archive(tmp_path: Path, state: FakeState, **config: Any) -> tuple[WarcArchive, list[Path]]:
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
