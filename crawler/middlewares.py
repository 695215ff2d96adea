"""newsvault's downloader middlewares.

PrivateNetworkMiddleware refuses requests to private, loopback and link-local addresses:
an archive crawler follows links that strangers wrote; without it, a page or a DNS name
can point it at the operator's own network (routers, metadata services, admin UIs).

EncodedBodyMiddleware removes Content-Encoding (br through a path pywb cannot shadow) and
logs and counts every body it cannot decode.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread

from crawler.contentcoding import decode_body, split_codings

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STAT_REFUSED = "newsvault/private_network/refused"

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


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (blocking: call it in a thread)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = parse_ip(str(sockaddr[0]))
        if ip is not None and ip not in found:
            found.append(ip)
    return found


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

    Host names are resolved in a thread (never on the reactor) and cached; the address
    the download actually used (``response.ip_address``) is checked again, which catches
    a DNS answer that changed in between. Off when ``ARCHIVE_ALLOW_PRIVATE_NETWORKS``.
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
                addresses: Iterable[IPAddress] = await maybe_deferred_to_future(
                    deferToThread(resolve_host, host, port)
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
        ip = getattr(response, "ip_address", None)
        if ip is not None and is_private_address(ipaddress.ip_address(str(ip))):
            raise self._refuse(request, f"the server answered from {ip}")
        return response


STAT_DECODED = "newsvault/decode/responses"
STAT_DECODE_FAILED = "newsvault/decode/failed"


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
                "Cannot decode the %s body of %s (%d B): %s",
                coding,
                response.url,
                len(response.body),
                exc,
            )
            raise IgnoreRequest(f"undecodable {coding} body: {exc}") from exc
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
