"""newsvault's downloader middlewares.

PrivateNetworkMiddleware refuses requests to private, loopback and link-local addresses:
an archive crawler follows links that strangers wrote; without it, a page or a DNS name
can point it at the operator's own network (routers, metadata services, admin UIs).

EncodedBodyMiddleware passes on no body that is incomplete (cut at max_page_mb, or shorter
than its Content-Length) or whose Content-Encoding does not decode: it stays in the WARC
as received, but is not extracted. It also saves Scrapy a charset guess on every
compressed response.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

STAT_REFUSED = "newsvault/private_network/refused"
#: request.meta key set by PrivateNetworkMiddleware on every request it vetted: the WARC
#: writer then refuses a private answering peer before it writes (see private_peer)
CHECK_PEER_META = "nv_check_peer"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is a literal one (brackets and zone ids allowed)."""
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_private_address(ip: IPAddress) -> bool:
    """True for anything not publicly routable: private, loopback, link-local, CGNAT, ..."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_private_address(mapped)
    return not ip.is_global or ip.is_multicast or ip.is_unspecified


def resolve_host(host: str, port: int) -> Deferred[list[IPAddress]]:
    """Every address ``host`` resolves to, asked of the resolver the downloader connects with.

    That is the reactor's name resolver (Scrapy's TWISTED_DNS_RESOLVER; its cache means
    the connection normally gets this same answer). A name that answers differently
    when the connection is made (DNS rebinding) is caught by the peer address check.
    """
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IResolutionReceiver
    from zope.interface import implementer

    done: Deferred[list[IPAddress]] = Deferred()
    found: list[IPAddress] = []

    @implementer(IResolutionReceiver)
    class Receiver:
        def resolutionBegan(self, resolution: Any) -> None:
            pass

        def addressResolved(self, address: Any) -> None:
            ip = parse_ip(str(address.host))
            if ip is not None and ip not in found:
                found.append(ip)

        def resolutionComplete(self) -> None:
            if found:
                done.callback(found)
            else:
                done.errback(OSError(f"cannot resolve {host}"))

    reactor.nameResolver.resolveHostName(Receiver(), host, port)  # type: ignore[attr-defined]
    return done


def private_peer(response: Response) -> str | None:
    """The address a response came from, if that address is not public (else None).

    The one test of the answering peer, shared by the WARC writer (which must decide
    before it writes, at ``response_downloaded``) and PrivateNetworkMiddleware.
    """
    ip = getattr(response, "ip_address", None)
    if ip is None:
        return None
    try:
        address = ipaddress.ip_address(str(ip))
    except ValueError:
        return str(ip)  # not an address we can vouch for
    return str(address) if is_private_address(address) else None


@dataclass(frozen=True)
class PrivateNetworkConfig:
    cache_size: int = 10_000
    cache_ttl: float = 300.0

    @classmethod
    def from_settings(cls, settings: Any) -> PrivateNetworkConfig:
        return cls(
            cache_size=settings.getint("ARCHIVE_PRIVATE_NETWORK_CACHE_SIZE", 10_000),
            cache_ttl=settings.getfloat("ARCHIVE_PRIVATE_NETWORK_CACHE_TTL", 300.0),
        )


class PrivateNetworkMiddleware:
    """Refuse requests whose host is, or resolves to, a non-public address.

    Host names are resolved by the downloader's own resolver and the verdict cached; the
    address the download actually used (``response.ip_address``) is checked again, which
    catches a DNS answer that changed in between (the WARC writer checks it too, before
    it writes). Off when ``ARCHIVE_ALLOW_PRIVATE_NETWORKS``.
    """

    def __init__(self, config: PrivateNetworkConfig, stats: Any = None) -> None:
        self.config = config
        self.stats = stats
        self._cache: OrderedDict[str, tuple[float, bool]] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkMiddleware:
        if crawler.settings.getbool("ARCHIVE_ALLOW_PRIVATE_NETWORKS"):
            raise NotConfigured("ARCHIVE_ALLOW_PRIVATE_NETWORKS is true")
        return cls(PrivateNetworkConfig.from_settings(crawler.settings), crawler.stats)

    def _refuse(self, request: Request, why: str) -> IgnoreRequest:
        if self.stats is not None:
            self.stats.inc_value(STAT_REFUSED)
        logger.warning("Refusing %s: %s (crawl.allow_private_networks is off)", request.url, why)
        return IgnoreRequest(f"private network address refused: {why}")

    def _cached(self, host: str) -> bool | None:
        entry = self._cache.get(host)
        if entry is None:
            return None
        expires, private = entry
        if expires < time.monotonic():
            del self._cache[host]
            return None
        self._cache.move_to_end(host)
        return private

    def _remember(self, host: str, private: bool) -> None:
        self._cache[host] = (time.monotonic() + self.config.cache_ttl, private)
        self._cache.move_to_end(host)
        while len(self._cache) > self.config.cache_size:
            self._cache.popitem(last=False)

    async def process_request(self, request: Request) -> None:
        parsed = urlparse_cached(request)
        if parsed.scheme not in ("http", "https"):
            return None
        request.meta[CHECK_PEER_META] = True
        host = (parsed.hostname or "").lower()
        if not host:
            return None
        literal = parse_ip(host)
        if literal is not None:
            if is_private_address(literal):
                raise self._refuse(request, f"{literal} is not a public address")
            return None
        private = self._cached(host)
        if private is None:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            try:
                addresses: list[IPAddress] = await maybe_deferred_to_future(
                    resolve_host(host, port)
                )
            except OSError as exc:
                # The download would fail the same way; let it report the DNS error.
                logger.debug("Cannot resolve %s: %s", host, exc)
                return None
            private = any(is_private_address(ip) for ip in addresses)
            self._remember(host, private)
        if private:
            raise self._refuse(request, f"{host} resolves to a non-public address")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        ip = private_peer(response)
        if ip is not None:
            raise self._refuse(request, f"the server answered from {ip}")
        return response


# what HttpCompressionMiddleware decodes with the packages newsvault installs
_DECODED_ENCODINGS = frozenset({b"gzip", b"x-gzip", b"deflate", b"br"})

STAT_UNDECODABLE = "newsvault/download/undecodable"
STAT_INCOMPLETE = "newsvault/download/incomplete"


class UndecodableBody(ValueError):
    """A body that does not decode completely under its Content-Encoding."""


def _drain(decompressor: Any, data: bytes, limit: int) -> tuple[int, bytes]:
    """Run ``data`` through a zlib decompressor, keeping at most ``limit`` bytes of output."""
    out = decompressor.decompress(data, limit + 1)
    size = len(out)
    while decompressor.unconsumed_tail and size <= limit:
        size += len(decompressor.decompress(decompressor.unconsumed_tail, limit + 1))
    return size, out[:0]


def check_decodes(body: bytes, coding: bytes, limit: int) -> None:
    """Raise UndecodableBody unless ``body`` decodes completely under ``coding``.

    Scrapy's decoders are lenient: a gzip body cut short yields its first part, and the
    page becomes an article cut mid-sentence. Output past ``limit`` bytes is not kept (a
    decompression bomb is HttpCompressionMiddleware's to refuse); only the framing is checked.
    """
    coding = coding.strip().lower()
    if coding in (b"gzip", b"x-gzip"):
        data = body
        while True:  # a gzip body may have several members
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                size, _ = _drain(decompressor, data, limit)
            except zlib.error as exc:
                raise UndecodableBody(f"gzip: {exc}") from None
            if size > limit:
                return
            if not decompressor.eof:
                raise UndecodableBody("gzip: the stream ends early")
            data = decompressor.unused_data
            if not data.strip(b"\0"):
                return
    elif coding == b"deflate":
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):  # zlib-wrapped, then raw
            decompressor = zlib.decompressobj(wbits)
            try:
                size, _ = _drain(decompressor, body, limit)
            except zlib.error:
                continue
            if size > limit or decompressor.eof:
                return
        raise UndecodableBody("deflate: not a complete deflate stream")
    elif coding == b"br":
        import brotli

        decompressor = brotli.Decompressor()
        try:
            if hasattr(decompressor, "process"):  # Google's brotli
                size = len(decompressor.process(body, output_buffer_limit=65536))
                while not decompressor.is_finished() and size <= limit:
                    chunk = decompressor.process(b"", output_buffer_limit=65536)
                    if not chunk:
                        break
                    size += len(chunk)
                if size <= limit and not decompressor.is_finished():
                    raise UndecodableBody("br: the stream ends early")
            else:  # brotlipy / brotlicffi
                decompressor.decompress(body)
                decompressor.finish()
        except brotli.error as exc:
            raise UndecodableBody(f"br: {exc}") from None


class EncodedBodyMiddleware:
    """Hand HttpCompressionMiddleware a plain Response for a compressed text body.

    It rebuilds the response with ``response.replace()``, which reads ``encoding`` of
    the *still compressed* TextResponse: with no charset in Content-Type, Scrapy then
    runs charset_normalizer over gzip bytes (about 0.6 ms a page, thrown away). A plain
    Response has no encoding to guess; HttpCompressionMiddleware picks the response
    class from the decoded body as before. Sits just above it (595) in
    DOWNLOADER_MIDDLEWARES, so it sees the response first; the WARC record was written
    from the raw response earlier, at ``response_downloaded``.
    """

    def __init__(self, stats: Any = None, max_size: int = 0) -> None:
        self.stats = stats
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodedBodyMiddleware:
        return cls(crawler.stats, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request: Request, response: Response) -> Response:
        from crawler.pagesize import restore_maxsize

        restore_maxsize(request)
        codings = [
            part
            for value in response.headers.getlist(b"Content-Encoding")
            for part in value.split(b",")
            if part.strip() and part.strip().lower() != b"identity"
        ]
        truncated = request.meta.get("nv_truncated") or (
            "disconnect" if "dataloss" in response.flags else None
        )
        if truncated:
            # archived as such (WARC-Truncated); half a page is no article, and half a
            # sitemap or feed is read by nobody
            if self.stats is not None:
                self.stats.inc_value(STAT_INCOMPLETE)
            logger.warning(
                "Not extracting %s: the body is incomplete (WARC-Truncated: %s); archived",
                response.url,
                truncated,
            )
            raise IgnoreRequest(f"incomplete body ({truncated})")
        if not codings or request.method == "HEAD" or not response.body:
            return response
        if len(codings) == 1 and codings[0].strip().lower() in _DECODED_ENCODINGS:
            limit = request.meta.get("download_maxsize", self.max_size) or 256 * 1024 * 1024
            try:
                check_decodes(response.body, codings[0], limit)
            except UndecodableBody as exc:
                if self.stats is not None:
                    self.stats.inc_value(STAT_UNDECODABLE)
                logger.warning(
                    "Not extracting %s: its Content-Encoding does not decode (%s); "
                    "archived verbatim",
                    response.url,
                    exc,
                )
                raise IgnoreRequest(f"undecodable Content-Encoding: {exc}") from None
        if not isinstance(response, TextResponse) or any(
            part.strip().lower() not in _DECODED_ENCODINGS for part in codings
        ):
            return response
        return Response(**{name: getattr(response, name) for name in Response.attributes})
