"""Threaded HTTP/1.1 server for the sample news site, bound to 127.0.0.1 (port 0 by default)."""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import brotlicffi

from . import render_feeds, render_html, traps
from .catalog import (
    ABOUT_PATH,
    ARTICLES,
    FEEDS,
    SECTIONS,
    SITEMAP_INDEX,
    SITEMAPS,
    parse_date,
)
from .expected import article_entry, build_expected
from .extras import make_extra
from .model import ArticleSpec

logger = logging.getLogger(__name__)

RequestRecord = tuple[str, str, dict[str, str]]
_SECTION_PAGE = re.compile(r"^/(?P<section>[a-z]+)/(?:page/(?P<number>\d+)/)?$")
CHUNK_SIZE = 2048


@dataclass
class Response:
    """What the router decided; the handler turns it into bytes on the wire."""

    status: int
    body: bytes
    content_type: str
    # "identity", "negotiated" (gzip when accepted), "always" (gzip regardless), "chunked",
    # "br" (Brotli when accepted, else identity)
    encoding: str = "identity"
    headers: list[tuple[str, str]] = field(default_factory=list)


class SampleSite:
    """The sample news site served from a background thread.

    >>> site = SampleSite(); site.start(); site.url  # doctest: +SKIP
    'http://127.0.0.1:PORT'
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        traps: bool = False,
        crawl_delay: float | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._times: list[float] = []
        self._extras: list[ArticleSpec] = []
        self._updates: dict[str, ArticleSpec] = {}
        #: serve the discovery traps of `traps.py` (and their articles) too
        self.traps = traps
        #: a ``Crawl-delay:`` line in robots.txt (seconds)
        self.crawl_delay = crawl_delay
        #: paths answered 404 whatever they hold (a further page of an article gone missing)
        self.gone: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SampleSite:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self._host, self._port), _Handler)
        server.daemon_threads = True
        server.site = self  # type: ignore[attr-defined]
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"sample-site:{self._port}", daemon=True
        )
        self._thread.start()
        logger.info("sample site serving at %s", self.url)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        logger.info("sample site at %s stopped", self.url)

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{self._host}:{self._port}"

    # ------------------------------------------------------------------ content

    def articles(self) -> list[ArticleSpec]:
        with self._lock:
            listed = [*ARTICLES, *(traps.ARTICLES if self.traps else ()), *self._extras]
            return [self._updates.get(a.key, a) for a in listed]

    def update_article(self, key: str, now: datetime | None = None) -> dict[str, object]:
        """Edit an article now: a new modified date in its page, feeds and sitemap lastmod."""
        when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        if when.microsecond:
            # the page states whole seconds: round up, so that an edit made in the same
            # second as the last capture still reads as later than that capture
            when = when.replace(microsecond=0) + timedelta(seconds=1)
        article = next(a for a in self.articles() if a.key == key)
        with self._lock:
            self._updates[key] = replace(article, modified=when.isoformat())
        return article_entry(self._updates[key], self.articles())

    def publish_extra(self) -> dict[str, object]:
        """Publish one more article now; returns its ground-truth entry (as in expected.json)."""
        with self._lock:
            article = make_extra(len(self._extras) + 1)
            self._extras.append(article)
        logger.info("published extra article %s", article.path)
        return article_entry(article, self.articles())

    def expected(self) -> dict[str, object]:
        """Ground truth including extra articles published so far."""
        return build_expected(self.articles())

    # ------------------------------------------------------------------ request log

    @property
    def requests(self) -> list[RequestRecord]:
        """Snapshot of (method, path_with_query, headers) of every request seen."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._times.clear()

    def fetched_paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    @property
    def request_times(self) -> list[float]:
        """`time.monotonic()` at each request seen, in the order of `requests`."""
        with self._lock:
            return list(self._times)

    def _record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((method, path, headers))
            self._times.append(time.monotonic())

    # ------------------------------------------------------------------ routing

    def route(self, target: str) -> Response:
        """Map a request target (path with query) to a response."""
        base = self.url
        articles = self.articles()
        parts = urlsplit(target)
        path = parts.path
        if path in self.gone:
            return Response(
                404, render_html.not_found_page(base).encode(), "text/html; charset=UTF-8"
            )

        if path == "/":
            home = render_html.home_page(base, articles)
            if self.traps:
                home = home.replace(
                    '<section class="archive">', traps.home_links() + '\n<section class="archive">'
                )
            return Response(
                200,
                home.encode(),
                "text/html; charset=UTF-8",
                headers=[
                    ("Set-Cookie", "mp_session=5f2c9a71e0; Path=/; HttpOnly; SameSite=Lax"),
                    ("Set-Cookie", "mp_consent=pending; Path=/; Max-Age=31536000"),
                    ("Cache-Control", "max-age=60"),
                ],
            )
        if path == "/robots.txt":
            robots = render_feeds.robots(base)
            if self.traps:
                robots += f"Sitemap: {base}{traps.SITEMAP_INTL}\n"
            if self.crawl_delay is not None:
                robots = robots.replace(
                    "User-agent: *\n", f"User-agent: *\nCrawl-delay: {self.crawl_delay:g}\n"
                )
            return Response(200, robots.encode(), "text/plain; charset=utf-8")
        if self.traps:
            trap = _trap_route(self.url, path, target, articles)
            if trap is not None:
                return trap
        if path == FEEDS["rss"]:
            return _xml(render_feeds.rss(base, articles), "application/rss+xml; charset=UTF-8")
        if path == FEEDS["atom"]:
            return _xml(render_feeds.atom(base, articles), "application/atom+xml; charset=utf-8")
        if path == FEEDS["jsonfeed"]:
            return _xml(
                render_feeds.json_feed(base, articles), "application/feed+json; charset=utf-8"
            )
        if path == SITEMAP_INDEX:
            return _xml(
                render_feeds.sitemap_index(base, articles), "application/xml; charset=UTF-8"
            )
        if path == SITEMAPS["news"]:
            return _xml(render_feeds.news_sitemap(base, articles), "application/xml; charset=UTF-8")
        if path == SITEMAPS["sitemap-1"]:
            return _xml(
                render_feeds.sitemap(base, articles, "sitemap-1"), "application/xml; charset=UTF-8"
            )
        if path == SITEMAPS["sitemap-2"]:
            # A .gz file, not a transfer encoding: no Content-Encoding header.
            return Response(200, render_feeds.sitemap_gz(base, articles), "application/x-gzip")
        if path == ABOUT_PATH:
            return _html(render_html.about_page(base))
        if path.startswith("/private/"):
            return _html(render_html.private_page(base))

        match = _SECTION_PAGE.match(path)
        if match and match["section"] in SECTIONS:
            number = int(match["number"] or 1)
            page = render_html.section_page(match["section"], number, base, articles)
            if page is not None and not (match["number"] and number == 1):
                return _html(page)

        for article in articles:
            if path in article.old_paths:
                location = base + article.path
                return Response(
                    301,
                    render_html.redirect_page(location).encode(),
                    "text/html; charset=iso-8859-1",
                    headers=[("Location", location)],
                )
            pages = _pages(article, path, parts.query)
            if pages is not None:
                charset = article.charset
                page = render_html.article_page(article, base, articles, *pages)
                if self.traps and article.key == traps.HREFLANG_EN.key:
                    page = page.replace("</head>", traps.head_alternates(base) + "</head>", 1)
                body = page.encode(charset)
                encoding = {
                    "gzip-negotiated": "negotiated",
                    "gzip-always": "always",
                    "chunked": "chunked",
                    "br-negotiated": "br",
                }.get(article.content_encoding, "identity")
                headers = [("Link", f'<{base}{article.path}>; rel="canonical"')]
                if article.date_in_page:
                    modified = parse_date(article.modified or article.published)
                    headers.append(
                        (
                            "Last-Modified",
                            format_datetime(modified.astimezone(timezone.utc), usegmt=True),
                        )
                    )
                return Response(200, body, f"text/html; charset={charset}", encoding, headers)

        return Response(404, render_html.not_found_page(base).encode(), "text/html; charset=UTF-8")


def _trap_route(base: str, path: str, target: str, articles: list[ArticleSpec]) -> Response | None:
    """The pages of `traps.py` (articles among the traps are served like any other)."""
    if path == traps.SITEMAP_INTL:
        return _xml(traps.sitemap_intl(base), "application/xml; charset=UTF-8")
    if path in traps.CHAIN_HOPS:
        hop = traps.CHAIN_HOPS.index(path) + 1
        location = base + (
            traps.CHAIN_HOPS[hop] if hop < len(traps.CHAIN_HOPS) else traps.CHAIN.path
        )
        return Response(
            301,
            render_html.redirect_page(location).encode(),
            "text/html",
            headers=[("Location", location)],
        )
    if target in traps.LISTINGS or path in traps.LISTINGS:
        return _html(traps.listing_page(target, base, articles))
    return None


def _html(text: str) -> Response:
    return Response(200, text.encode(), "text/html; charset=UTF-8")


def _xml(text: str, content_type: str) -> Response:
    return Response(200, text.encode(), content_type, "negotiated")


def _pages(article: ArticleSpec, path: str, query: str) -> tuple[int, int] | None:
    """(text page, comment page) of ``article`` at ``path``, or None if it is not its."""
    if _serves(article, path, query):
        return 1, 1
    for number in range(2, article.page_count + 1):
        if path == article.page_path(number):
            return number, 1
    for number in range(2, article.comment_page_count + 1):
        if path == article.comment_page_path(number):
            return 1, number
    return None


def _serves(article: ArticleSpec, path: str, query: str) -> bool:
    target = urlsplit(article.path)
    if target.query:
        # Legacy article.php?id=N: the id selects the article, other params are ignored.
        wanted = parse_qs(target.query).get("id")
        return path == target.path and parse_qs(query).get("id") == wanted
    # Pretty URLs ignore the query string (utm_*, replytocom, ...).
    return path == article.path or path in article.alt_paths


def _accepts_gzip(header: str | None) -> bool:
    return _accepts(header, ("gzip", "x-gzip", "*"))


def _accepts(header: str | None, codings: tuple[str, ...]) -> bool:
    for part in (header or "").split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in codings:
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.24.0"
    sys_version = ""
    timeout = 30

    @property
    def site(self) -> SampleSite:
        return self.server.site  # type: ignore[attr-defined,no-any-return]

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self.site._record("POST", self.path, dict(self.headers.items()))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b"Method Not Allowed\n"
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        self.site._record(self.command, self.path, dict(self.headers.items()))
        try:
            response = self.site.route(self.path)
        except Exception:
            logger.exception("sample site failed on %s", self.path)
            response = Response(500, b"Internal Server Error\n", "text/plain")
        body = response.body
        etag = f'W/"{hashlib.sha1(body).hexdigest()[:16]}"'
        if response.status == 200 and etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return

        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status == 200:
            self.send_header("ETag", etag)
        gzip_it = response.encoding == "always" or (
            response.encoding == "negotiated" and _accepts_gzip(self.headers.get("Accept-Encoding"))
        )
        if response.encoding in ("negotiated", "br"):
            self.send_header("Vary", "Accept-Encoding")
        if gzip_it:
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        elif response.encoding == "br" and _accepts(self.headers.get("Accept-Encoding"), ("br",)):
            body = brotlicffi.compress(body)
            self.send_header("Content-Encoding", "br")
        chunked = response.encoding == "chunked" and self.request_version == "HTTP/1.1"
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if chunked:
            for start in range(0, len(body), CHUNK_SIZE):
                chunk = body[start : start + CHUNK_SIZE]
                self.wfile.write(b"%X\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)
