"""The ``news`` spider: discovery only (robots.txt, feeds, sitemaps, sections) -> PageItems.

One concern, kept whole: the spider's Scrapy callbacks and the decisions they share.

What a page means is decided by ``crawler.discovery`` (pure functions); this module is
the Scrapy glue: requests with ``nv_*`` meta, per-source stats, incremental skipping.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from crawler.config import DEFAULT_SETTINGS
from crawler.discovery.articles import classify_page, is_listing_url, url_looks_like_article
from crawler.discovery.dates import best_known_date, older_than, parse_date
from crawler.discovery.feeds import FeedError, looks_like_feed, parse_feed
from crawler.discovery.links import (
    advertised_feeds,
    canonical_from_link_header,
    canonical_link,
    extract_links_as_found,
    language_alternates,
    parse_html,
    parse_html_head,
)
from crawler.discovery.pagination import (
    continuation_links,
    continuation_of,
    may_have_continuations,
    page_marker,
)
from crawler.discovery.sitemaps import (
    MAX_SITEMAP_DEPTH,
    SitemapError,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.discovery.sources import SourceError, SourcePlan, select_sources
from crawler.discovery.urls import canonicalize_url, host_of, registered_domain_hint
from crawler.discovery.xmlsafe import UnsafeDocument
from crawler.items import PageItem
from crawler.spiders.pagechain import CHAIN_META, PageChain

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from pipelines.state import StateIndex

_Doc = TypeVar("_Doc")
logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# An article's further pages go first: its chain holds its pages until the last arrives.
PRIORITY = {
    "robots": 40,
    "sitemap": 30,
    "feed": 30,
    "continuation": 25,
    "article": 20,
    "page": 0,
}
STAT_PREFIX = "newsvault/source"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class NewsSpiderConfig:
    """The settings the spider reads, frozen at start."""

    sources: tuple[SourcePlan, ...]
    incremental: bool = True
    revisit_days: int = 0
    depth_limit: int = 0
    obey_robots: bool = True
    max_article_pages: int = DEFAULT_SETTINGS["ARCHIVE_MAX_ARTICLE_PAGES"]

    @classmethod
    def from_settings(
        cls, settings: BaseSettings, source: str | None = None, url: str | None = None
    ) -> NewsSpiderConfig:
        configured = settings.getlist("ARCHIVE_SOURCES") or []
        try:
            plans = select_sources(configured, source=source, url=url)
        except SourceError as exc:
            raise ValueError(f"{exc}; check sources in the config or the -a arguments") from exc
        return cls(
            sources=tuple(plans),
            incremental=settings.getbool("ARCHIVE_INCREMENTAL_ENABLED", True),
            revisit_days=settings.getint("ARCHIVE_INCREMENTAL_REVISIT_DAYS", 0),
            depth_limit=settings.getint("DEPTH_LIMIT", 0),
            obey_robots=settings.getbool("ROBOTSTXT_OBEY", True),
            max_article_pages=settings.getint("ARCHIVE_MAX_ARTICLE_PAGES", cls.max_article_pages),
        )


def _key(url: str) -> bytes:
    # 8 bytes per URL: in-run dedup sets stay small next to Scrapy's own fingerprints.
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _robots_key(url: str) -> str:
    parts = urlsplit(url)
    host = registered_domain_hint(host_of(url))
    return f"{host}:{parts.port}" if parts.port else host


def _header(response: Response, name: str) -> str:
    return (response.headers.get(name) or b"").decode("latin-1")


def request_url_of(response: Response) -> str:
    return response.request.url if response.request is not None else response.url


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _external_detector() -> Callable[[Any, str], bool] | None:
    """``crawler.extract.looks_like_article`` (text-density signals), if that module loads."""
    try:
        from crawler.extract import looks_like_article
    except Exception as exc:  # pragma: no cover - depends on the optional heavy module
        logger.debug("crawler.extract.looks_like_article unavailable: %s", exc)
        return None
    return looks_like_article


class NewsSpider(scrapy.Spider):
    """Crawl every configured source (or ``-a source=NAME``, or ``-a url=URL``)."""

    name = "news"

    def __init__(
        self, *args: Any, source: str | None = None, url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source_arg = source
        self.url_arg = url
        self.config: NewsSpiderConfig | None = None
        self.state: StateIndex | None = None
        self._discovered: set[bytes] = set()
        self._itemised: set[bytes] = set()
        self._skipped_known: set[bytes] = set()
        self._detector: Callable[[Any, str], bool] | None = None
        self._robots_origins: dict[str, list[str]] = {}
        self._robots_via_middleware = False
        # Child sitemaps read this run: response URL -> (URL as listed, lastmod).
        self._sitemaps_read: dict[str, tuple[str, str]] = {}
        self._sitemaps_incomplete: set[str] = set()
        self.max_redirects = 20

    # -- helpers ---------------------------------------------------------------

    @property
    def cfg(self) -> NewsSpiderConfig:
        # Not an assert: FeedExporter reads every spider attribute at open.
        return self.config or NewsSpiderConfig(sources=())

    def _plan(self, name: str) -> SourcePlan:
        for plan in self.cfg.sources:
            if plan.name == name:
                return plan
        raise KeyError(name)

    def _inc(self, source: str, what: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"{STAT_PREFIX}/{source}/{what}", count)

    def _fetched(self, response: Response, source: str) -> None:
        self._inc(source, "fetched")
        if response.meta.get("nv_entry"):
            self._inc(source, "entry_ok")

    def _request(
        self,
        url: str,
        source: str,
        kind: str,
        callback: Callable[..., Any],
        discovery: dict[str, Any],
        *,
        reset_depth: bool = False,
        **meta: Any,
    ) -> Request:
        all_meta = {
            "nv_source": source,
            "nv_kind": kind,
            "nv_discovery": discovery,
            **meta,
        }
        if reset_depth:
            # Feeds and sitemaps are as good as start URLs: DEPTH_LIMIT counts link hops.
            all_meta["depth_reset"] = True
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=all_meta,
            priority=PRIORITY.get(kind, 0),
        )

    # -- start -----------------------------------------------------------------

    def setup(self) -> None:
        """Read the settings (final only once the crawl starts) and find the state index."""
        self.config = NewsSpiderConfig.from_settings(
            self.crawler.settings, source=self.source_arg, url=self.url_arg
        )
        self.state = self._state_index()
        self.max_redirects = self.crawler.settings.getint("REDIRECT_MAX_TIMES", 20)
        self._detector = _external_detector()
        self._robots_via_middleware = self.cfg.obey_robots and self._robots_middleware_enabled()
        if self._robots_via_middleware:
            # RobotsTxtMiddleware fetches each robots.txt anyway: read its Sitemap: lines
            # from that response instead of fetching the file a second time.
            # Keyed by host (www. folded): robots.txt may redirect from http to https.
            for plan in self.cfg.sources:
                for origin in plan.origins():
                    names = self._robots_origins.setdefault(_robots_key(origin), [])
                    if plan.name not in names:
                        names.append(plan.name)
            self.crawler.signals.connect(self._response_received, signal=signals.response_received)

    def _state_index(self) -> StateIndex | None:
        """The state index its owner (StateExtension) opened at spider_opened, if enabled."""
        from pipelines.state import StateExtension

        try:
            owner = self.crawler.get_extension(StateExtension)
        except RuntimeError:  # no extension manager: the spider is built outside a crawl
            owner = None
        # outside a crawl (unit tests), whatever index the caller gave the spider
        return owner.index if owner is not None else self.state

    def _robots_middleware_enabled(self) -> bool:
        """Is Scrapy's RobotsTxtMiddleware (or a subclass) in the downloader middlewares?"""
        configured = self.crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES")
        for component, order in configured.items():
            if order is None:
                continue
            try:
                cls = load_object(component) if isinstance(component, str) else component
            except (ImportError, NameError, ValueError):
                continue
            if isinstance(cls, type) and issubclass(cls, RobotsTxtMiddleware):
                return True
        return False

    async def start(self) -> AsyncIterator[Request]:
        try:
            self.setup()
        except ValueError as exc:
            logger.error("%s", exc)
            raise CloseSpider("bad_source") from None
        for request in self.start_requests_for_all():
            yield request

    def start_requests_for_all(self) -> Iterator[Request]:
        for plan in self.cfg.sources:
            yield from self._start_requests(plan)

    def _start_requests(self, plan: SourcePlan) -> Iterator[Request]:
        for origin in plan.origins() if not self._robots_via_middleware else ():
            yield self._request(
                f"{origin}/robots.txt",
                plan.name,
                "robots",
                self.parse_robots,
                {"via": "robots"},
                dont_obey_robotstxt=True,
            )
        # Entry points (nv_entry): a source none of whose entry points answered has failed.
        for url in plan.sitemaps:
            yield self._request(
                url,
                plan.name,
                "sitemap",
                self.parse_sitemap,
                {"via": "config"},
                reset_depth=True,
                nv_sitemap_depth=0,
                nv_entry=True,
            )
        for url in plan.feeds:
            yield self._request(
                url,
                plan.name,
                "feed",
                self.parse_feed,
                {"via": "config"},
                reset_depth=True,
                nv_entry=True,
            )
        for url in plan.start_urls:
            self._discovered.add(_key(url))
            yield self._request(
                url,
                plan.name,
                "page",
                self.parse_page,
                {"via": "start"},
                reset_depth=True,
                nv_entry=True,
            )

    # -- callbacks -------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        source = response.meta["nv_source"]
        self._inc(source, "fetched")
        yield from self._robots_requests(response, source)

    def _robots_requests(self, response: Response, source: str) -> Iterator[Request]:
        for found in robots_sitemaps(response.body, response.url):
            url = canonicalize_url(found)
            if not url:
                continue
            yield self._request(
                url,
                source,
                "sitemap",
                self.parse_sitemap,
                {"via": "robots", "from": response.url},
                reset_depth=True,
                nv_sitemap_depth=0,
            )

    def _response_received(self, response: Response, request: Request, spider: Any) -> None:
        """Catch RobotsTxtMiddleware's own robots.txt downloads (they skip the spider)."""
        if "nv_source" in request.meta or not request.meta.get("dont_obey_robotstxt"):
            return
        if urlsplit(response.url).path != "/robots.txt" or response.status != 200:
            return
        for source in self._robots_origins.get(_robots_key(response.url), ()):
            self._inc(source, "fetched")
            for sitemap_request in self._robots_requests(response, source):
                self.crawler.engine.crawl(sitemap_request)

    def _parse_document(
        self,
        parse: Callable[[bytes, str], _Doc],
        not_this_kind: type[Exception],
        kind: str,
        response: Response,
    ) -> _Doc | None:
        """Parse a feed or sitemap; unsafe or malformed documents are logged and skipped."""
        try:
            return parse(response.body, response.url)
        except UnsafeDocument as exc:
            logger.warning("Refusing %s %s: %s", kind, response.url, exc)
            self.crawler.stats.inc_value("newsvault/discovery/unsafe_documents")
        except not_this_kind as exc:
            logger.warning("Not a %s: %s (%s)", kind, response.url, exc)
        return None

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        source = response.meta["nv_source"]
        self._fetched(response, source)
        plan = self._plan(source)
        sitemap = self._parse_document(parse_sitemap, SitemapError, "sitemap", response)
        if sitemap is None:
            return
        depth = int(response.meta.get("nv_sitemap_depth", 0))
        if sitemap.is_index:
            if depth >= MAX_SITEMAP_DEPTH:
                logger.warning("Sitemap index %s nests too deep; not following", response.url)
                return
            for entry in sitemap.entries:
                url = canonicalize_url(entry.loc)
                if not url:
                    continue
                if entry.lastmod and self._sitemap_unchanged(url, entry.lastmod):
                    self._inc(source, "sitemaps_unchanged")
                    continue
                yield self._request(
                    url,
                    source,
                    "sitemap",
                    self.parse_sitemap,
                    {"via": "sitemap", "from": response.url, **entry.discovery()},
                    reset_depth=True,
                    nv_sitemap_depth=depth + 1,
                    nv_sitemap_lastmod=entry.lastmod,
                )
            return
        lastmod = response.meta.get("nv_sitemap_lastmod")
        if lastmod:
            listed_as = (response.meta.get("redirect_urls") or [request_url_of(response)])[0]
            self._sitemaps_read[response.url] = (listed_as, lastmod)
        for entry in sitemap.entries:
            discovery = {"via": "sitemap", "from": response.url, **entry.discovery()}
            # A news sitemap entry is an article by definition; others are detected on arrival.
            is_news = entry.published is not None or entry.title is not None
            yield from self._candidate(plan, entry.loc, discovery, asserted_article=is_news)
            for alternate in entry.alternates:  # hreflang editions, within the source's scope
                yield from self._candidate(
                    plan,
                    alternate,
                    {"via": "hreflang", "from": response.url, "edition_of": entry.loc},
                    asserted_article=False,
                )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        source = response.meta["nv_source"]
        self._fetched(response, source)
        yield from self._feed_requests(response, self._plan(source))

    def _feed_requests(self, response: Response, plan: SourcePlan) -> Iterator[Request]:
        feed = self._parse_document(parse_feed, FeedError, "feed", response)
        if feed is None:
            return
        for entry in feed.entries:
            discovery = {"via": "feed", "from": response.url, **entry.discovery()}
            yield from self._candidate(plan, entry.url, discovery, asserted_article=entry.is_item)

    def parse_page(self, response: Response) -> Iterator[Request | PageItem]:
        source = response.meta["nv_source"]
        self._fetched(response, source)
        plan = self._plan(source)
        if response.status in REDIRECT_STATUSES:
            yield from self._follow_redirect(response, plan)
            return
        content_type = _header(response, "Content-Type").lower()
        # Scrapy sniffs bodies without a usable Content-Type into HtmlResponse too.
        is_html = isinstance(response, HtmlResponse) or (
            isinstance(response, TextResponse) and any(t in content_type for t in _HTML_TYPES)
        )
        if not is_html or not isinstance(response, TextResponse):
            if looks_like_feed(response.body):  # a section link that was a feed after all
                yield from self._feed_requests(response, plan)
            return
        depth = int(response.meta.get("depth", 0))
        follow_links = not (
            (plan.depth is not None and depth >= plan.depth)  # the source's own limit
            or (self.cfg.depth_limit and depth >= self.cfg.depth_limit)  # DEPTH_LIMIT
        )
        asserted = bool(response.meta.get("nv_asserted_article")) or plan.is_article_url(
            response.url
        )
        # An article whose links are not followed (and whose further pages are not looked
        # for) is needed for its head alone (canonical link, feeds, language editions):
        # most of a news page is body, and this runs on the reactor thread for every page.
        whole = (
            follow_links
            or not asserted
            or (
                self.cfg.max_article_pages > 1
                and (
                    page_marker(canonicalize_url(response.url)) is not None  # _first_page_of
                    or may_have_continuations(response.body, response.url)
                )
            )
        )
        doc = (parse_html if whole else parse_html_head)(response.body, response.encoding)
        discovery = dict(response.meta.get("nv_discovery") or {})

        for feed in advertised_feeds(doc, response.url):
            url = canonicalize_url(feed.url)
            # A feed on another site (a syndication partner, a CDN host) is not this source's.
            if not url or not plan.rules.in_scope(url) or plan.rules.denied(url):
                continue
            if _key(url) not in self._discovered:
                self._discovered.add(_key(url))
                yield self._request(
                    url,
                    source,
                    "feed",
                    self.parse_feed,
                    {"via": "page", "from": response.url, "title": feed.title}
                    if feed.title
                    else {"via": "page", "from": response.url},
                    reset_depth=True,
                )

        first_page = self._first_page_of(response, doc, plan)
        if first_page is not None:
            # a further page of an article, reached on its own: the article is fetched
            # (with this page) from its first page
            self._inc(source, "continuation_pages_alone")
            yield from self._candidate(
                plan,
                first_page,
                {"via": "continuation", "from": response.url},
                asserted_article=False,
            )
        else:
            item = self._article_item(response, doc, plan, discovery, content_type, asserted)
            if item is not None:
                yield from self._article_pages(item, doc, response)
        # Language editions are a discovery channel like a feed (depth reset), in scope.
        for alternate in language_alternates(doc, response.url):
            yield from self._candidate(
                plan,
                alternate,
                {"via": "hreflang", "from": response.url},
                asserted_article=False,
            )

        if not follow_links:
            # the source's own depth (0: "no section links at all"), or DEPTH_LIMIT
            # (0: unlimited), which Scrapy's DepthMiddleware also enforces
            return
        for url, found_as in extract_links_as_found(doc, response.url, plan.rules):
            yield from self._candidate(
                plan,
                url,
                {"via": "section", "from": response.url},
                found_as=found_as,
                asserted_article=False,
                follow=True,
            )

    # -- multi-page articles ---------------------------------------------------

    def _article_pages(self, item: PageItem, doc: Any, response: Response) -> Iterator[Any]:
        """The item, or the first request of its chain if the article has further pages."""
        links = continuation_links(doc, response.url) if self.cfg.max_article_pages > 1 else []
        if not links:
            yield item
            return
        chain = PageChain.start(item, links, self.cfg.max_article_pages)
        for url in chain.seen:
            self._discovered.add(_key(url))  # never fetched again as pages of their own
        yield from self._chain_step(chain, response.url)

    def _chain_step(self, chain: PageChain, came_from: str) -> Iterator[Request | PageItem]:
        """The request for the chain's next page, or the article's item when it is done."""
        source = str(chain.state["item"]["source"])
        step = chain.next_page()
        if step is not None:
            url, kind = step
            yield Request(
                url,
                callback=self.parse_continuation,
                errback=self.on_continuation_error,
                meta={
                    "nv_source": source,
                    "nv_kind": "continuation",
                    "nv_discovery": {"via": "continuation", "from": came_from, "page": kind},
                    "nv_page_kind": kind,
                    CHAIN_META: chain.state,
                    # one article, not a link deeper (crawler.politeness)
                    "nv_same_depth": True,
                    "dont_redirect": True,
                },
                priority=PRIORITY["continuation"],
                # the chain has its own cycle detection, and a dropped request would
                # lose the article
                dont_filter=True,
            )
            return
        if chain.capped:
            left = chain.left
            self._inc(source, "pages_capped", len(left))
            logger.warning(
                "%s has more than %d pages (crawl.max_article_pages); not fetching %s",
                chain.first_url,
                self.cfg.max_article_pages,
                ", ".join(left),
            )
            for url in left:
                chain.failed(url)
        item = chain.page_item()
        self._inc(source, "multipage_articles")
        if item.missing_pages:
            logger.warning(
                "%s is published without %d of its pages: %s",
                item.url,
                len(item.missing_pages),
                ", ".join(item.missing_pages),
            )
        yield item

    def parse_continuation(self, response: Response) -> Iterator[Request | PageItem]:
        """A further page of an article (its text continued, or more comments)."""
        chain = PageChain(response.meta[CHAIN_META])
        kind = str(response.meta.get("nv_page_kind") or "text")
        source = response.meta["nv_source"]
        self._inc(source, "fetched")
        self._inc(source, "continuation_pages")
        if isinstance(response, TextResponse) and response.status == 200:
            chain.fetched(response.url, kind, response.body, response.encoding)
            doc = parse_html(response.body, response.encoding)
            for url in chain.add(continuation_links(doc, response.url, chain.first_url)):
                self._discovered.add(_key(url))
        else:
            chain.failed(response.url)
            logger.warning(
                "%s, a further page of %s, is not an HTML page; the article is published "
                "without it",
                response.url,
                chain.first_url,
            )
        yield from self._chain_step(chain, response.url)

    def on_continuation_error(self, failure: Failure) -> Iterator[Request | PageItem]:
        """A further page failed (HTTP error, timeout, robots.txt): go on without it."""
        request = failure.request  # type: ignore[attr-defined]
        chain = PageChain(request.meta[CHAIN_META])
        source = request.meta["nv_source"]
        if failure.check(HttpError):
            self._inc(source, "fetched")
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = failure.getErrorMessage()
        self._inc(source, "continuation_failed")
        logger.warning(
            "Could not fetch %s, a further page of %s (%s); the article is published without it",
            request.url,
            chain.first_url,
            reason,
        )
        chain.failed(request.url)
        yield from self._chain_step(chain, request.url)

    def _first_page_of(self, response: Response, doc: Any, plan: SourcePlan) -> str | None:
        """The article's first page if this response is one of its further pages."""
        if response.status != 200 or page_marker(canonicalize_url(response.url)) is None:
            return None  # the usual case: no page marker in the URL
        if self.cfg.max_article_pages <= 1:
            return None
        first = continuation_of(doc, response.url)
        if first is None:
            return None
        # a listing's next page links back too: only an article's page is a continuation
        asserted = bool(response.meta.get("nv_asserted_article"))
        if not self._is_article(doc, response.url, asserted or plan.is_article_url(response.url)):
            return None
        return first

    # -- decisions -------------------------------------------------------------

    def _candidate(
        self,
        plan: SourcePlan,
        raw_url: str,
        discovery: dict[str, Any],
        *,
        asserted_article: bool,
        follow: bool = False,
        found_as: str | None = None,
    ) -> Iterator[Request]:
        """Schedule one discovered URL unless it is out of scope, too old or known.

        Where the URL fetched differs from the link as found (tracking parameters dropped,
        host lowercased, default port removed), the link is kept as ``found_as``: the
        WARC metadata record of the capture names it.
        """
        url = canonicalize_url(raw_url)
        if not url:
            return
        found_as = found_as or raw_url
        if urldefrag(found_as)[0] != url:  # a fragment is never sent: not a difference
            discovery["found_as"] = found_as
        if not follow and (not plan.rules.in_scope(url) or plan.rules.denied(url)):
            return  # section links were filtered by extract_links_as_found already
        key = _key(url)
        again = False
        if key in self._discovered:
            # A known article skipped on a dateless link (an RSS item without <updated>)
            # is decided again when another channel says when it last changed.
            dated = discovery.get("modified") or discovery.get("lastmod")
            if key not in self._skipped_known or not dated:
                return
            again = True
        else:
            self._discovered.add(key)
            self._inc(plan.name, "discovered")
        if plan.max_age_days is not None:
            discovery["max_age_days"] = plan.max_age_days
            best = best_known_date(discovery, url)
            if best is not None and older_than(best, plan.max_age_days):
                self._inc(plan.name, "filtered_age")
                return
        if self._skip_known(plan, url, discovery, count=not again):
            self._skipped_known.add(key)
            return
        self._skipped_known.discard(key)
        asserted_article = asserted_article or plan.is_article_url(url)
        kind = "article" if asserted_article or url_looks_like_article(url) else "page"
        yield self._request(
            url,
            plan.name,
            kind,
            self.parse_page,
            discovery,
            reset_depth=not follow,
            nv_asserted_article=asserted_article,
            # Redirects of discovered URLs are followed here, not by RedirectMiddleware,
            # so that the old URL becomes an alias and the target passes the same checks.
            dont_redirect=True,
            handle_httpstatus_list=list(REDIRECT_STATUSES),
        )

    def _follow_redirect(self, response: Response, plan: SourcePlan) -> Iterator[Request]:
        location = _header(response, "Location")
        target = canonicalize_url(location, response.url) if location else ""
        if not target:
            return
        source_url = canonicalize_url(response.url)
        if self.state is not None:
            self.state.mark_alias(source_url, target)  # counts once the target is archived
        hops = [*(response.meta.get("nv_redirect_urls") or ()), response.url]
        if len(hops) > self.max_redirects:
            logger.info("Too many redirects from %s; stopping at %s", hops[0], target)
            return
        if not plan.rules.in_scope(target):
            logger.info("%s redirects off the source's domains to %s", response.url, target)
            return
        key = _key(target)
        if key in self._discovered:
            return  # fetched or scheduled under that URL already
        self._discovered.add(key)
        discovery = dict(response.meta.get("nv_discovery") or {})
        if self._skip_known(plan, target, discovery):
            return
        yield self._request(
            target,
            plan.name,
            response.meta.get("nv_kind", "page"),
            self.parse_page,
            discovery,
            nv_asserted_article=bool(response.meta.get("nv_asserted_article")),
            nv_redirect_urls=hops,
            # a hop is the same link, not one deeper (crawler.politeness.RedirectDepthMiddleware)
            nv_same_depth=True,
            dont_redirect=True,
            handle_httpstatus_list=list(REDIRECT_STATUSES),
        )

    def _sitemap_unchanged(self, url: str, lastmod: str) -> bool:
        """Did an earlier run read this child sitemap completely, as of this lastmod?

        News sites keep years of archive sitemaps in their index; a nightly run need not
        re-read the ones that have not changed since (nor, with re-visits on, ones that
        last changed before the re-visit window).
        """
        if not self.cfg.incremental or self.state is None:
            return False
        seen, now = parse_date(self.state.sitemap_lastmod(url)), parse_date(lastmod)
        if seen is None or now is None or now > seen:
            return False
        # With re-visits on, a sitemap that changed within the window may list articles
        # due for one: read it again.
        days = self.cfg.revisit_days
        return not (days > 0 and not older_than(now, days))

    def closed(self, reason: str) -> None:
        # Only a crawl that ran to its end has fetched (or skipped for good reasons) every
        # entry of the sitemaps it read; a sitemap with failed fetches is read again.
        if reason != "finished" or self.state is None or not self.state.is_open:
            return
        for response_url, (url, lastmod) in self._sitemaps_read.items():
            if response_url not in self._sitemaps_incomplete:
                self.state.record_sitemap(url, lastmod)

    def _skip_known(
        self, plan: SourcePlan, url: str, discovery: dict[str, Any], *, count: bool = True
    ) -> bool:
        """True if an earlier run archived ``url`` and it is not due for a re-visit.

        A known article is fetched again when its feed ``updated`` or sitemap ``lastmod``
        is newer than our last capture (the update is archived as a new capture). With
        ``revisit_days`` > 0, also when it was published within that many days.
        """
        state = self.state
        if not self.cfg.incremental or state is None:
            return False
        known = state.known_article(url)
        if known is None:
            return False
        days = self.cfg.revisit_days
        modified = parse_date(discovery.get("modified") or discovery.get("lastmod"))
        fetched = parse_date(known[1])
        updated = modified is not None and fetched is not None and modified > fetched
        recent = False
        if days > 0:
            published = parse_date(known[0] or discovery.get("published"))
            recent = published is not None and not older_than(published, days)
        if recent or updated:
            self._inc(plan.name, "revisited")
            discovery["revisit"] = "recent" if recent else "updated"
            return False
        if count:
            self._inc(plan.name, "skipped_known")
        return True

    def _is_article(self, doc: Any, url: str, asserted: bool) -> bool:
        if doc is None or is_listing_url(url):
            return False  # a listing is never an article, whatever asserted it
        if asserted or classify_page(doc, url).is_article:
            return True  # a feed or news sitemap entry is an article by definition
        return bool(self._detector is not None and self._detector(doc, url))

    def _article_item(
        self,
        response: Response,
        doc: Any,
        plan: SourcePlan,
        discovery: dict[str, Any],
        content_type: str,
        asserted: bool,
    ) -> PageItem | None:
        if response.status != 200:
            return None
        if not self._is_article(doc, response.url, asserted):
            return None
        request_url = (
            response.meta.get("nv_redirect_urls")
            or response.meta.get("redirect_urls")
            or [request_url_of(response)]
        )[0]
        fetched_as = {canonicalize_url(request_url), canonicalize_url(response.url)} - {""}
        canonical = (
            canonical_link(doc, response.url)
            or canonical_from_link_header(_header(response, "Link"), response.url)
            or canonicalize_url(response.url)
        )
        state = self.state
        if state is not None:
            for other in fetched_as:
                state.mark_alias(other, canonical)
        key = _key(canonical)
        if key in self._itemised:
            self.crawler.stats.inc_value(f"{STAT_PREFIX}/{plan.name}/duplicates")
            logger.debug("%s is %s again: archived, no second item", response.url, canonical)
            return None
        self._itemised.add(key)
        if (
            canonical not in fetched_as
            and not discovery.get("revisit")
            and self._skip_known(plan, canonical, discovery)
        ):
            return None  # reached under a new URL, but its canonical URL was archived before
        discovery.update(canonical=canonical, request_url=request_url)
        if plan.max_age_days is not None:
            discovery.setdefault("max_age_days", plan.max_age_days)
        self._inc(plan.name, "articles")
        return PageItem(
            url=response.url,
            request_url=request_url_of(response),
            status=response.status,
            body=response.body,
            encoding=response.encoding if isinstance(response, TextResponse) else None,
            content_type=content_type,
            source=plan.name,
            fetched_at=_now_iso(),
            discovery=discovery,
            warc=dict(response.meta.get("nv_warc") or {}),
        )

    # -- errors ----------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        source = meta.get("nv_source", "unknown")
        came_from = (meta.get("nv_discovery") or {}).get("from")
        entry = bool(meta.get("nv_entry"))
        if entry:
            self._inc(source, "entry_failed")
        if failure.check(HttpError):  # a subclass of IgnoreRequest: test it first
            response = failure.value.response
            self._inc(source, "fetched")
            self._inc(source, "http_errors")
            logger.log(
                logging.WARNING if entry else logging.DEBUG,
                "HTTP %s for %s",
                response.status,
                response.url,
            )
            if came_from and (response.status >= 500 or response.status == 429):
                self._sitemaps_incomplete.add(came_from)  # worth another try next run
            return
        if failure.check(IgnoreRequest):
            if "robots.txt" in str(failure.value):
                self._inc(source, "robots_denied")
                logger.log(
                    logging.WARNING if entry else logging.DEBUG,
                    "robots.txt forbids %s",
                    request.url if request else "?",
                )
            return
        if came_from:
            self._sitemaps_incomplete.add(came_from)
        self._inc(source, "errors")
        # An unreachable start URL, feed or sitemap is the operator's business.
        logger.log(
            logging.WARNING if entry else logging.INFO,
            "Failed %s: %s",
            request.url if request else "?",
            failure.getErrorMessage(),
        )
