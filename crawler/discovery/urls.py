"""URL canonicalisation and domain scoping used for deduplication and link following."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

#: Query parameters that only identify a campaign, click or mail recipient (or, like
#: ``replytocom``, never change the page).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "__twitter_impression",
        "s_cid",
        "xtor",
        "cmpid",
        "ocid",
        "spm",
        # WordPress "reply to comment" links answer with the same article page.
        "replytocom",
    }
)
#: Prefixes of tracking parameter families (Google Analytics, Matomo/Piwik, HubSpot ads).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_WS = re.compile(r"[\t\n\r]")


def is_tracking_param(name: str) -> bool:
    """True for query parameter names that never change the page."""
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _strip_query(query: str) -> str:
    # Filter the raw pairs rather than re-encoding them, so that the remaining
    # parameters keep their exact spelling and order (order can matter to a CMS).
    kept = [
        pair for pair in query.split("&") if pair and not is_tracking_param(pair.split("=", 1)[0])
    ]
    return "&".join(kept)


def _host(hostname: str) -> str:
    host = hostname.strip().rstrip(".").lower()
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for absolute paths."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        elif seg == ".":
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def join_url(base: str, href: str) -> str:
    """``urljoin`` that answers ``""`` instead of raising on malformed input (``http://[x``)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The canonical form of ``url`` (optionally relative to ``base``).

    Lowercases scheme and host, drops the default port, the fragment and tracking
    parameters, and turns an empty path into ``/``. Path and remaining query are kept
    byte for byte: servers may treat case and parameter order as significant.
    Returns ``""`` for values that are not http(s) URLs.
    """
    url = _WS.sub("", url.strip())
    if base:
        url = join_url(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    host = _host(parts.hostname)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = _remove_dot_segments(parts.path) if "." in parts.path else parts.path
    return urlunsplit((scheme, netloc, path or "/", _strip_query(parts.query), ""))


def host_of(url: str) -> str:
    """Lowercased host name of ``url``, ``""`` if it has none."""
    try:
        return _host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def registered_domain_hint(host: str) -> str:
    """A configured domain as matched: ``www.example.com`` also covers ``example.com``."""
    host = _host(host)
    return host[4:] if host.startswith("www.") else host


def in_domains(url: str, domains: Iterable[str]) -> bool:
    """True if the host of ``url`` is one of ``domains`` or a subdomain of one.

    An empty ``domains`` permits every host.
    """
    host = host_of(url)
    if not host:
        return False
    doms = [registered_domain_hint(d) for d in domains if d]
    if not doms:
        return True
    return any(host == d or host.endswith("." + d) for d in doms)


def same_site(url: str, other: str) -> bool:
    """True if both URLs share a host (``www.`` ignored) or one is a subdomain of the other."""
    a, b = registered_domain_hint(host_of(url)), registered_domain_hint(host_of(other))
    if not a or not b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)
