"""Scrapy glue of the WARC writer: captures every HTTP(S) exchange at `response_downloaded`."""

# What Scrapy 2.19 (Twisted HTTP/1.1 handler) gives us at `response_downloaded`, and
# what that means for the records:
#
# * The body is exactly as received: still content-encoded, already de-chunked. Twisted
#   keeps Transfer-Encoding, Connection and Keep-Alive out of the response headers, so
#   none is written (another handler's Transfer-Encoding would be kept as
#   ``X-Orig-Transfer-Encoding``, Browsertrix's convention). Content-Length is re-added
#   by Scrapy (first) from the framing, so it matches the stored body; where it does
#   not (a truncated body), it is rewritten to the stored length, as Browsertrix does,
#   and the record gets ``WARC-Truncated``. HEAD/1xx/204/304 keep theirs.
# * Every header value is kept, in order per name (`Headers.getlist`), but the
#   interleaving of different names is not; header names come canonicalised by Twisted
#   (``ETag``). The reason phrase is not kept by Scrapy, so the standard phrase for the
#   status code is written.
# * The request object carries the headers set by the downloader middlewares; Twisted's
#   Agent then adds ``Host`` (last) and the HTTP/1.1 client writes ``Content-Length``
#   (first) for bodies and POST/PUT. The request record reproduces that exact order.

from __future__ import annotations

import json
import logging
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from crawler.config import DEFAULT_SETTINGS
from crawler.middlewares import CHECK_PEER_META, private_peer
from pipelines import spoolguard
from pipelines.gzfiles import OPEN_SUFFIX, ClosedFile, Shipper
from pipelines.warc.archive import DigestIndex, WarcArchive
from pipelines.warc.config import WarcConfig
from pipelines.warc.files import finish_warc
from pipelines.warc.outlinks import extract_outlinks
from pipelines.warc.records import HeaderList, HttpCapture

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


def software_string() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def ver(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "unknown"

    return (
        f"newsvault/{ver('newsvault')} (Scrapy/{ver('scrapy')}; warcio/{ver('warcio')}; "
        f"Python/{platform.python_version()})"
    )


def wire_request(request: Request) -> tuple[str, HeaderList]:
    """The request line target and header lines Twisted's HTTP/1.1 client sends.

    Mirrors `_ScrapyAgent.download_request` + `Agent._requestWithEndpoint` +
    `twisted.web._newclient.Request._writeHeaders` (persistent pool: no Connection).
    """
    from twisted.web.client import URI
    from twisted.web.http_headers import Headers as TxHeaders

    url = urldefrag(request.url)[0]
    parsed = URI.fromBytes(url.encode("ascii"))
    proxy = request.meta.get("proxy")
    scheme = urlsplit(url).scheme
    target = url if proxy and scheme == "http" else parsed.originForm.decode("ascii")

    headers = TxHeaders(request.headers)
    if proxy and scheme == "https":
        headers.removeHeader(b"Proxy-Authorization")  # it went to the proxy in CONNECT
    if not headers.hasHeader(b"Host"):
        host = parsed.host
        if b":" in host:  # IPv6 literal
            host = b"[" + host + b"]"
        if (parsed.scheme, parsed.port) not in ((b"http", 80), (b"https", 443)):
            host = b"%b:%d" % (host, parsed.port)
        headers.addRawHeader(b"Host", host)

    lines: HeaderList = []
    if request.body or request.method.upper() in ("POST", "PUT"):
        lines.append((b"Content-Length", str(len(request.body)).encode()))
    for name, values in headers.getAllRawHeaders():
        lines.extend((name, value) for value in values)
    return target, lines


#: Response flags -> WARC-Truncated. (A cut at max_page_mb is "length": crawler.pagesize
#: marks the request.) "dataloss" is a body shorter than its
#: Content-Length (kept because the add-on sets DOWNLOAD_FAIL_ON_DATALOSS off).
_TRUNCATION_FLAGS = {
    "dataloss": "disconnect",
    "download_stopped": "unspecified",
}
# Twisted hands Scrapy these names in this case; Scrapy's Headers then .title()s them
# ("ETag" -> "Etag"). Undo that, so the record shows what the HTTP client parsed.
_TWISTED_CASE = {
    name.lower(): name
    for name in (
        b"Content-MD5",
        b"DNT",
        b"ETag",
        b"P3P",
        b"TE",
        b"WWW-Authenticate",
        b"X-XSS-Protection",
    )
}


def capture_from_scrapy(request: Request, response: Response, max_body: int = 0) -> HttpCapture:
    target, request_headers = wire_request(request)
    response_headers: HeaderList = [
        (_TWISTED_CASE.get(name.lower(), name), value)
        for name, values in response.headers.items()
        for value in values
    ]
    protocol = response.protocol or "HTTP/1.1"
    if not protocol.upper().startswith("HTTP/"):
        protocol = "HTTP/1.1"
    truncated = next((_TRUNCATION_FLAGS[f] for f in response.flags if f in _TRUNCATION_FLAGS), None)
    body = response.body
    if request.meta.get("nv_truncated") == "length":
        truncated = "length"
        if max_body and len(body) > max_body:
            body = body[:max_body]  # the last network chunk went past the limit
    return HttpCapture(
        url=urldefrag(request.url)[0],
        method=request.method,
        request_target=target,
        request_headers=request_headers,
        request_body=request.body or b"",
        protocol=protocol,
        status=response.status,
        response_headers=response_headers,
        body=body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        truncated=truncated,
    )


_TWISTED_HTTP11 = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


def _warn_if_not_twisted_http11(settings: BaseSettings) -> None:
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        handler = handlers.get(scheme)
        path = handler if isinstance(handler, str) else getattr(handler, "__qualname__", "")
        if handler and not str(path).endswith("HTTP11DownloadHandler"):
            logger.warning(
                "DOWNLOAD_HANDLERS[%r] is %s: WARC request records reconstruct the headers "
                "sent by %s, so they may differ from what this handler sent",
                scheme,
                path,
                _TWISTED_HTTP11,
            )


class WarcWriterExtension:
    """Scrapy extension: archives every HTTP(S) exchange at `response_downloaded`."""

    CAPTURE_KEY = "_nv_warc_capture"

    def __init__(self, crawler: Crawler, config: WarcConfig) -> None:
        from twisted.internet import threads

        self.crawler = crawler
        self.config = config
        self._pending: list[Deferred[Any]] = []
        self._defer_to_thread = threads.deferToThread
        self.archive: WarcArchive | None = None
        self.uploader: Shipper | None = None
        self.state: DigestIndex | None = None
        self.max_body = crawler.settings.getint("ARCHIVE_MAX_PAGE_BYTES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriterExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool(
            "ARCHIVE_WARC_ENABLED", DEFAULT_SETTINGS["ARCHIVE_WARC_ENABLED"]
        ):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        # a bad value stops the crawl (ValueError): an archive must not silently go missing
        config = WarcConfig.from_settings(crawler.settings)
        _warn_if_not_twisted_http11(crawler.settings)
        ext = cls(crawler, config)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _stat(self, name: str, value: int) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsvault/warc/{name}", value)

    def spider_opened(self, spider: Spider) -> None:
        from pipelines.state import StateExtension
        from pipelines.storage import uploader_of

        self.uploader = uploader_of(self.crawler)
        state = self.crawler.get_extension(StateExtension)
        # without the state index, payloads are deduplicated within this run only
        self.state = state.index if state is not None else None
        self.archive = WarcArchive(
            self.config,
            software=software_string(),
            state=self.state,
            uploader=self.uploader,
            finisher=self._finish_in_thread,
            on_stat=self._stat,
        )
        self.archive.recover()

    def _finish_in_thread(self, closed: ClosedFile) -> None:
        assert self.archive is not None
        archive = self.archive
        lines = archive.take_index_lines(closed.name)
        d = self._defer_to_thread(finish_warc, archive.spool, closed, lines)
        # submit on the reactor thread: the uploader need not be thread-safe
        d.addCallback(archive.ship)
        d.addErrback(
            lambda f: logger.error(
                "Could not finish %s: %s", closed.path, f.getErrorMessage(), exc_info=f.value
            )
        )
        self._pending.append(d)
        d.addBoth(self._forget, d)

    def _forget(self, result: Any, d: Deferred[Any]) -> Any:
        if d in self._pending:
            self._pending.remove(d)
        return result

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.archive is None or urlsplit(request.url).scheme not in ("http", "https"):
            return
        if request.meta.get(CHECK_PEER_META) and private_peer(response) is not None:
            # DNS rebinding or a private redirect/retry target: PrivateNetworkMiddleware
            # refuses the response; nothing of it may reach the archive first.
            self._stat("refused_private", 1)
            return
        if spoolguard.stopped(self.crawler):
            spoolguard.skip_write(self.crawler)
            return
        capture = capture_from_scrapy(request, response, self.max_body)
        try:
            result = self.archive.write_capture(capture)
        except Exception as exc:
            if not spoolguard.is_write_error(exc):
                raise
            spoolguard.spool_write_failed(self.crawler, self._open_path(), exc)
            return
        request.meta["nv_warc"] = result.as_meta()
        request.meta[self.CAPTURE_KEY] = (result.record_id, result.warc_date, capture.url)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        captured = request.meta.pop(self.CAPTURE_KEY, None)
        if self.archive is None or captured is None:
            return
        record_id, warc_date, url = captured
        fields: list[tuple[str, str]] = []
        discovery = request.meta.get("nv_discovery") or {}
        if discovery.get("from"):
            fields.append(("via", str(discovery["from"])))
        if discovery.get("found_as"):
            # the link as the page, feed or sitemap gave it, where newsvault fetched
            # another form of it (tracking parameters dropped, ...)
            fields.append(("foundAs", str(discovery["found_as"])))
        if discovery:
            fields.append(("discovery", json.dumps(discovery, sort_keys=True, default=str)))
        if request.meta.get("nv_source"):
            fields.append(("source", str(request.meta["nv_source"])))
        latency = request.meta.get("download_latency")
        if latency is not None:
            fields.append(("fetchTimeMs", str(int(latency * 1000))))
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if b"html" in content_type.lower():
            fields.extend(
                ("outlink", link) for link in extract_outlinks(response.body, response.url)
            )
        if spoolguard.stopped(self.crawler):
            spoolguard.skip_write(self.crawler)
            return
        try:
            self.archive.write_metadata(url, warc_date, record_id, fields)
        except Exception as exc:
            if not spoolguard.is_write_error(exc):
                raise
            spoolguard.spool_write_failed(self.crawler, self._open_path(), exc)

    def _open_path(self) -> Path:
        """The spool file being written (for the one error line)."""
        assert self.archive is not None
        name = self.archive.writer.current_name
        open_dir = self.archive.writer.open_dir
        return open_dir / (name + OPEN_SUFFIX) if name else open_dir

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import DeferredList

        if self.archive is not None:
            self.archive.close()
        # the last files are indexed and submitted before the uploader drains at engine_stopped
        while self._pending:
            pending, self._pending = self._pending, []
            await maybe_deferred_to_future(DeferredList(pending, consumeErrors=True))
