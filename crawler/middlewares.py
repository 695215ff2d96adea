"""newsvault's downloader middlewares.

PrivateNetworkMiddleware refuses requests to private, loopback and link-local addresses:
an archive crawler follows links that strangers wrote; without it, a page or a DNS name
can point it at the operator's own network (routers, metadata services, admin UIs).

EncodedBodyMiddleware removes Content-Encoding (br through a path pywb cannot shadow) and
passes on no body that is incomplete (cut at max_page_mb, or shorter than its
Content-Length) or whose Content-Encoding does not decode: it stays in the WARC as
received, counted and logged, but is not extracted.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawler.contentcoding import decode_body, split_codings

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


STAT_DECODED = "newsvault/decode/responses"
STAT_DECODE_FAILED = "newsvault/decode/failed"

STAT_INCOMPLETE = "newsvault/download/incomplete"


class EncodedBodyMiddleware:
    """Remove the Content-Encoding (gzip, deflate, br) of responses, and say so when it fails.

    It runs just before HttpCompressionMiddleware (595 > 590 in DOWNLOADER_MIDDLEWARES),
    which then finds nothing left to do but codings this one does not know (zstd). Done here
    rather than there because:

    - br goes through ``crawler.contentcoding`` (brotlicffi): the ``brotli`` module Scrapy
      imports is shadowed by pywb's brotlipy wherever both are installed;
    - a body that cannot be decoded is logged at WARNING with its URL and counted
      (``newsvault/decode/failed``), then ignored: no half-decoded article;
    - the response class is picked from the decoded body, with no charset guess on the
      still compressed bytes (Scrapy's ``response.replace()`` runs charset_normalizer over
      them: about 0.6 ms a page, thrown away).

    The WARC record was written from the raw response earlier, at ``response_downloaded``.
    """

    def __init__(self, max_size: int = 0, warn_size: int = 0, stats: Any = None) -> None:
        self.max_size = max_size
        self.warn_size = warn_size
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodedBodyMiddleware:
        return cls(
            max_size=crawler.settings.getint("DOWNLOAD_MAXSIZE"),
            warn_size=crawler.settings.getint("DOWNLOAD_WARNSIZE"),
            stats=crawler.stats,
        )

    def process_response(self, request: Request, response: Response) -> Response:
        from crawler.pagesize import restore_maxsize

        restore_maxsize(request)
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
        values = response.headers.getlist(b"Content-Encoding")
        if not values or request.method == "HEAD":
            return response
        remove, keep = split_codings(values)
        if not remove:
            return response
        max_size = request.meta.get("download_maxsize", self.max_size)
        try:
            body = decode_body(response.body, remove, max_size)
        except Exception as exc:  # corrupt, truncated, too large: any failure is one
            if self.stats is not None:
                self.stats.inc_value(STAT_DECODE_FAILED)
            coding = b", ".join(remove[::-1]).decode("latin-1")
            logger.warning(
                "Not extracting %s: its %s Content-Encoding does not decode (%d B: %s); "
                "archived verbatim",
                response.url,
                coding,
                len(response.body),
                exc,
            )
            raise IgnoreRequest(f"undecodable Content-Encoding ({coding}): {exc}") from exc
        warn_size = request.meta.get("download_warnsize", self.warn_size)
        if warn_size and len(response.body) < warn_size <= len(body):
            logger.warning(
                "%s: %d B after decompression, over DOWNLOAD_WARNSIZE (%d B)",
                response.url,
                len(body),
                warn_size,
            )
        if self.stats is not None:
            self.stats.inc_value(STAT_DECODED)
        headers = response.headers.copy()
        if keep:
            headers[b"Content-Encoding"] = b", ".join(keep)
        else:
            del headers[b"Content-Encoding"]
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        kwargs = {name: getattr(response, name) for name in Response.attributes}
        kwargs.update(headers=headers, body=body)
        if issubclass(cls, TextResponse):
            kwargs["encoding"] = None  # from the headers or the decoded body, as Scrapy does
        return cls(**kwargs)
