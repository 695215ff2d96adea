"""A hostile news site on 127.0.0.1: pages that lie, break, bloat or hide binary bytes."""

from __future__ import annotations

import gzip
import random
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MB = 1024 * 1024
DAY = "/2024/05/14/"
PARAGRAPH = (
    "<p>The council voted on Tuesday to extend the tram line to the harbour district, "
    "after a debate that lasted well into the evening and drew a crowd of residents.</p>"
)


def article(title: str, paragraphs: int = 12, pad: int = 0) -> bytes:
    body = PARAGRAPH * paragraphs + ("<div>" + "x" * 1000 + "</div>\n") * pad
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>"
        "<meta property='article:published_time' content='2024-05-14T08:00:00Z'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


#: path -> what each hostile case is; the home page links them all
CASES = {
    "ok": "a normal article (the control case)",
    "oversized": "3 MB, over a max_page_mb of 2: cut at the limit",
    "oversized-chunked": "3 MB without Content-Length: cut at the limit",
    "short": "ends after 4000 of the 20000 bytes its Content-Length promised",
    "bad-gzip": "Content-Encoding gzip, the stream cut off mid-way",
    "not-gzip": "Content-Encoding gzip over plain HTML",
    "binary": "text/html over random bytes",
    "huge-html": "1.5 MB of valid HTML, over an extraction.max_html_mb of 1",
}


def case_url(base: str, case: str) -> str:
    return f"{base}{DAY}{case}-story"


class HostileSite:
    """Threaded HTTP/1.1 server; ``extra`` routes (path -> handler) can be added by a test."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.extra: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self._server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(self.path)
                if self.path in site.extra:
                    site.extra[self.path](self)
                    return
                site.route(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @staticmethod
    def send(
        handler: BaseHTTPRequestHandler,
        body: bytes,
        headers: dict[str, str] | None = None,
        status: int = 200,
        length: int | None = None,
    ) -> None:
        handler.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)

    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            self.send(h, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        elif path == "/":
            links = "".join(f'<a href="{DAY}{case}-story">{case}</a> ' for case in CASES)
            self.send(h, f"<html><body><h1>Hostile news</h1>{links}</body></html>".encode())
        elif path == f"{DAY}ok-story":
            self.send(h, article("A normal story"))
        elif path == f"{DAY}oversized-story":
            self.send(h, article("An oversized story", pad=3 * 1024))
        elif path == f"{DAY}oversized-chunked-story":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"<div>" + b"y" * 65530 + b"</div>"
            try:
                for _ in range(48):  # 3 MB
                    h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                h.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the crawler hung up at its limit
        elif path == f"{DAY}short-story":
            body = article("A short story", paragraphs=40)
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", str(20000))
            h.end_headers()
            h.wfile.write(body[:4000])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
        elif path == f"{DAY}bad-gzip-story":
            packed = gzip.compress(article("A story cut in its gzip", paragraphs=40))
            self.send(h, packed[: len(packed) * 2 // 3], {"Content-Encoding": "gzip"})
        elif path == f"{DAY}not-gzip-story":
            self.send(h, article("Plain under a gzip label"), {"Content-Encoding": "gzip"})
        elif path == f"{DAY}binary-story":
            noise = random.Random(16).randbytes(200_000)
            self.send(h, noise)
        elif path == f"{DAY}huge-html-story":
            self.send(h, article("A huge story", paragraphs=40, pad=1536))
        else:
            self.send(h, b"<html><body>not here</body></html>", status=404)
