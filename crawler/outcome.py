"""How a crawl ended, for schedulers: ok, partial or failed, with the exit code and the reasons."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.config import settings_value

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The exit codes of `newsvault crawl` and `scrapy crawl news` (documented in the README).
EXIT_OK = 0  # the crawl did its job
EXIT_FAILED = 1  # ran or tried to and failed: store, spool, nothing fetched, every source failed
EXIT_USAGE = 2  # what was typed or written is wrong, nothing ran: arguments, -s, --source, config
EXIT_PARTIAL = 3  # some sources failed, too many errors, or files left unuploaded

#: Finish reasons of a crawl that did its job (a page, item or time cap is a normal end).
OK_FINISH_REASONS = frozenset(
    {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
)
#: Finish reasons that mean the command line was wrong. Every other finish reason that is
#: not in OK_FINISH_REASONS (storage_unavailable, state_unavailable, shutdown, a component's
#: own CloseSpider reason) is a failure: a component fails a crawl by closing the spider.
USAGE_FINISH_REASONS = frozenset({"bad_source"})
#: A component marks a crawl partial by incrementing ``newsvault/partial/<why>``.
PARTIAL_PREFIX = "newsvault/partial/"
SOURCE_PREFIX = "newsvault/source/"


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok", "partial", "failed" or "usage"
    exit_code: int
    problems: tuple[str, ...] = ()
    failed_sources: tuple[str, ...] = ()


def per_source(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """``newsvault/source/NAME/COUNTER`` integer stats as ``{NAME: {COUNTER: n}}``."""
    out: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if not key.startswith(SOURCE_PREFIX) or not isinstance(value, int):
            continue
        name, sep, counter = key[len(SOURCE_PREFIX) :].partition("/")
        if sep and name and counter:
            out.setdefault(name, {})[counter] = value
    return dict(sorted(out.items()))


def error_share(stats: Mapping[str, Any]) -> tuple[int, int]:
    """(failed fetches, attempted fetches): HTTP 4xx/5xx answers and network failures."""
    errors = attempts = 0
    for counters in per_source(stats).values():
        errors += counters.get("http_errors", 0) + counters.get("errors", 0)
        attempts += counters.get("fetched", 0) + counters.get("errors", 0)
    return errors, attempts


def assess(
    stats: Mapping[str, Any],
    *,
    max_error_share: float = 0.5,
    pending_uploads: int | None = None,
    shared_frontier: bool = False,
) -> Outcome:
    """The outcome of a crawl from its Scrapy stats (pure: tested without a crawl).

    ``shared_frontier``: a worker of a distributed crawl, which may find every request
    taken by the other workers; fetching nothing is then no failure of its own.
    """
    reason = str(stats.get("finish_reason") or "unknown")
    if reason in USAGE_FINISH_REASONS:
        return Outcome("usage", EXIT_USAGE, (f"the crawl did not start: {reason}",))
    if reason not in OK_FINISH_REASONS:
        return Outcome("failed", EXIT_FAILED, (f"the crawl stopped early: {reason}",))
    sources = per_source(stats)
    failed = tuple(
        name for name, c in sources.items() if c.get("entry_failed", 0) and not c.get("entry_ok", 0)
    )
    problems = [
        f"source {name!r}: none of its start URLs, feeds or sitemaps could be fetched"
        for name in failed
    ]
    responses = int(stats.get("downloader/response_count", 0) or 0)
    if responses == 0 and not shared_frontier:
        return Outcome("failed", EXIT_FAILED, (*problems, "nothing was fetched"), failed)
    if failed and len(failed) == len(sources):
        return Outcome("failed", EXIT_FAILED, tuple(problems), failed)
    errors, attempts = error_share(stats)
    if attempts and errors / attempts > max_error_share:
        problems.append(
            f"{errors} of {attempts} fetches failed ({errors / attempts:.0%}, more than "
            f"ARCHIVE_MAX_ERROR_SHARE {max_error_share:.0%})"
        )
    for key, value in sorted(stats.items()):
        if key.startswith(PARTIAL_PREFIX) and value:
            problems.append(f"{key[len(PARTIAL_PREFIX) :]}: {value}")
    pending = (
        int(stats.get("newsvault/upload/pending", 0) or 0)
        if pending_uploads is None
        else pending_uploads
    )
    if pending:
        problems.append(f"{pending} file(s) not uploaded yet: run `newsvault upload`")
    if problems:
        return Outcome("partial", EXIT_PARTIAL, tuple(problems), failed)
    return Outcome("ok", EXIT_OK)


def assess_crawl(stats: Mapping[str, Any], settings: Any) -> Outcome:
    """:func:`assess` with the threshold from settings."""
    return assess(
        stats,
        max_error_share=float(settings_value(settings, "ARCHIVE_MAX_ERROR_SHARE")),
        shared_frontier=bool(settings.get("ARCHIVE_REDIS_URL")),
    )


class RunOutcomeExtension:
    """At spider_closed: logs each problem at WARNING/ERROR and puts the outcome in the stats.

    The run manifest (written after this) carries ``newsvault/outcome`` and
    ``newsvault/problems``; the launchers turn the same assessment into the exit code.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunOutcomeExtension:
        from scrapy import signals

        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        from crawler.config import CrawlConfig

        if self.crawler.settings.get("USER_AGENT") == CrawlConfig().user_agent:
            logger.warning(
                "crawl.user_agent is the shipped placeholder: name your crawler and give a "
                "contact URL, so site owners can reach you"
            )

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        stats = self.crawler.stats
        if stats is None:
            return
        values = dict(stats.get_stats())
        values.setdefault("finish_reason", reason)
        outcome = assess_crawl(values, self.crawler.settings)
        stats.set_value("newsvault/outcome", outcome.status)
        stats.set_value("newsvault/problems", list(outcome.problems))
        level = logging.WARNING if outcome.status == "partial" else logging.ERROR
        for problem in outcome.problems:
            logger.log(level, "%s", problem)
