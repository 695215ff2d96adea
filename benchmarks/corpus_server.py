"""A local HTTP server for a folder of HTML pages behind an index page, gzip like real sites."""

from __future__ import annotations

import collections
import gzip
import html
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

_WORDS = (
    "government minister council election report city police market climate school court "
    "health budget energy water transport housing workers union vote parliament river storm "
    "science research university museum festival football season coach players league"
).split()


def generated_pages(count: int, seed: int = 1) -> dict[str, bytes]:
    """Article-like pages for machines without the shared corpus (deterministic)."""
    rnd = random.Random(seed)
    pages = {}
    for i in range(count):
        title = " ".join(rnd.choice(_WORDS) for _ in range(7)).capitalize()
        paras = "".join(
            "<p>" + " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(40, 90))) + ".</p>"
            for _ in range(rnd.randint(6, 14))
        )
        comments = "".join(
            f'<li class="comment" id="comment-{i}-{c}"><div class="comment-author vcard">'
            f'<cite class="fn">Reader {c}</cite></div><div class="comment-content"><p>'
            + " ".join(rnd.choice(_WORDS) for _ in range(25))
            + "</p></div></li>"
            for c in range(rnd.randint(0, 6))
        )
        nav = "".join(f'<li><a href="/section/{w}">{w}</a></li>' for w in _WORDS[:20])
        pages[f"article-{i:04d}.html"] = (
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2026-11-{1 + i % 28:02d}T08:30:00+01:00">'
            f"</head><body><nav><ul>{nav}</ul></nav><article><h1>{title}</h1>"
            f'<div class="entry-content">{paras}</div></article>'
            f'<div id="comments"><ol class="commentlist">{comments}</ol></div>'
            "<footer>Copyright newsvault benchmark</footer></body></html>"
        ).encode()
    return pages


def load_pages(folder: Path | None, fallback_count: int = 400) -> dict[str, bytes]:
    if folder is not None and folder.is_dir():
        pages = {p.name: p.read_bytes() for p in sorted(folder.rglob("*.htm*")) if p.is_file()}
        if pages:
            return pages
    return generated_pages(fallback_count)


class CorpusServer:
    """Serves `/` (an index linking every page), `/pages/NAME` and an allow-all robots.txt."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        # Compress once up front so the server costs the crawl as little CPU as possible.
        self.gz = {name: gzip.compress(body, 6) for name, body in pages.items()}
        links = "".join(
            f'<li><a href="/pages/{quote(name)}">{html.escape(name)}</a></li>' for name in pages
        )
        self.index = f"<!doctype html><html><body><ul>{links}</ul></body></html>".encode()
        self._httpd: ThreadingHTTPServer | None = None
        self.hits: collections.Counter[str] = collections.Counter()  # GETs per path

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                gz_ok = "gzip" in (self.headers.get("Accept-Encoding") or "")
                path = unquote(self.path.split("?", 1)[0])
                server.hits[path] += 1
                if path == "/robots.txt":
                    body, ctype, encoded = b"User-agent: *\nAllow: /\n", "text/plain", False
                elif path == "/":
                    body, ctype, encoded = server.index, "text/html; charset=utf-8", False
                elif path.startswith("/pages/") and path[7:] in server.pages:
                    name = path[7:]
                    encoded = gz_ok
                    body = server.gz[name] if gz_ok else server.pages[name]
                    ctype = "text/html"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                if encoded:
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Vary", "Accept-Encoding")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class CorpusServerProcess:
    """A `CorpusServer` in a child process of its own.

    A benchmark that samples the memory of a crawl's process tree does so in its own process;
    with the server there too, every sample (reading ``/proc/PID/smaps`` of each process) would
    hold the GIL away from the server, more so for a crawl with more processes and mappings.
    In a child process the server shares nothing with the measuring.
    """

    def __init__(self, pages: dict[str, bytes]) -> None:
        self._server = CorpusServer(pages)
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(self._server, child), daemon=True)
        self._proc.start()
        self._port = int(parent.recv())

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join(10)
            self._proc = None


def _serve(server: CorpusServer, conn: multiprocessing.connection.Connection) -> None:
    server.start()
    assert server._httpd is not None
    conn.send(server._httpd.server_address[1])
    threading.Event().wait()
