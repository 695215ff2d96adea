"""Sources to crawl, from ``ARCHIVE_SOURCES`` dicts or an ad-hoc URL; no Scrapy import."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.discovery.links import LinkRules, domains_of
from crawler.discovery.urls import canonicalize_url, host_of

logger = logging.getLogger(__name__)


class SourceError(ValueError):
    """A source definition (or a ``-a source=``/``-a url=`` argument) is unusable."""


@dataclass(frozen=True)
class SourcePlan:
    """What the spider crawls for one source."""

    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    rules: LinkRules = field(default_factory=LinkRules)
    max_age_days: int | None = None
    depth: int | None = None
    article_patterns: tuple[re.Pattern[str], ...] = ()

    def is_article_url(self, url: str) -> bool:
        """True if the operator declared URLs like this one to be articles."""
        return any(p.search(url) for p in self.article_patterns)

    @property
    def domains(self) -> tuple[str, ...]:
        return self.rules.domains

    def origins(self) -> list[str]:
        """``scheme://host[:port]`` of every configured URL, in order: where robots.txt lives."""
        found: list[str] = []
        for url in (*self.start_urls, *self.feeds, *self.sitemaps):
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in found:
                found.append(origin)
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourcePlan:
        name = str(data.get("name") or "").strip()
        if not name:
            raise SourceError("a source has no name")

        def urls(key: str) -> tuple[str, ...]:
            out = []
            for value in data.get(key) or ():
                canon = canonicalize_url(str(value))
                if not canon:
                    raise SourceError(
                        f"source {name!r}: {key} entry {value!r} is not an http(s) URL"
                    )
                out.append(canon)
            return tuple(out)

        start_urls, feeds, sitemaps = urls("start_urls"), urls("feeds"), urls("sitemaps")
        if not (start_urls or feeds or sitemaps):
            raise SourceError(f"source {name!r} has no start_urls, feeds or sitemaps")
        domains = [str(d) for d in data.get("domains") or ()]
        if not domains:
            domains = list(domains_of([*start_urls, *feeds, *sitemaps]))
        try:
            rules = LinkRules.build(
                domains=domains,
                allow=[str(p) for p in data.get("allow") or ()],
                deny=[str(p) for p in data.get("deny") or ()],
            )
            article_patterns = tuple(re.compile(str(p)) for p in data.get("article_urls") or ())
        except re.error as exc:
            raise SourceError(f"source {name!r}: bad allow/deny/article_urls regex: {exc}") from exc
        max_age = data.get("max_age_days")
        depth = data.get("depth")
        return cls(
            name=name,
            start_urls=start_urls,
            feeds=feeds,
            sitemaps=sitemaps,
            rules=rules,
            max_age_days=int(max_age) if max_age not in (None, "") else None,
            depth=int(depth) if depth not in (None, "") else None,
            article_patterns=article_patterns,
        )

    @classmethod
    def ad_hoc(cls, url: str) -> SourcePlan:
        """A one-off source for ``-a url=URL``: that page, its host, its advertised feeds."""
        canon = canonicalize_url(url)
        if not canon:
            raise SourceError(f"url {url!r} is not an http(s) URL")
        return cls(
            name=host_of(canon), start_urls=(canon,), rules=LinkRules.build([host_of(canon)])
        )


def select_sources(
    configured: Iterable[Mapping[str, Any]], source: str | None = None, url: str | None = None
) -> list[SourcePlan]:
    """The sources of this run: all configured ones, the one named ``source``, or ``url``."""
    if url:
        return [SourcePlan.ad_hoc(url)]
    plans = [SourcePlan.from_dict(d) for d in configured]
    if source:
        wanted = [p for p in plans if p.name == source]
        if not wanted:
            names = ", ".join(p.name for p in plans) or "none configured"
            raise SourceError(f"no source named {source!r} in sources ({names})")
        return wanted
    return plans
