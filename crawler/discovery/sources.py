"""What the spider crawls per source, from the config's typed ``Source`` or an ad-hoc URL; no Scrapy import."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from crawler.config import Source
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
    def from_source(cls, source: Source) -> SourcePlan:
        name = source.name.strip()
        if not name:
            raise SourceError("a source has no name")

        def urls(key: str) -> tuple[str, ...]:
            out = []
            for value in getattr(source, key):
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
        domains = list(source.domains) or list(domains_of([*start_urls, *feeds, *sitemaps]))
        try:
            rules = LinkRules.build(domains=domains, allow=source.allow, deny=source.deny)
            article_patterns = tuple(re.compile(p) for p in source.article_urls)
        except re.error as exc:
            raise SourceError(f"source {name!r}: bad allow/deny/article_urls regex: {exc}") from exc
        return cls(
            name=name,
            start_urls=start_urls,
            feeds=feeds,
            sitemaps=sitemaps,
            rules=rules,
            max_age_days=source.max_age_days,
            depth=source.depth,
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


def as_source(value: Source | Mapping[str, Any]) -> Source:
    """A typed Source; a mapping (``ARCHIVE_SOURCES`` set by hand, not from the YAML) is
    converted field by field."""
    if isinstance(value, Source):
        return value
    known = {f.name: f for f in fields(Source)}
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise SourceError(f"source {value.get('name')!r}: unknown keys {unknown}")
    kwargs: dict[str, Any] = {}
    for key, item in value.items():
        if item is None or item == "":
            continue
        if key in _LIST_FIELDS:
            kwargs[key] = (item,) if isinstance(item, str) else tuple(str(v) for v in item)
        elif key in ("max_age_days", "depth"):
            kwargs[key] = int(item)
        else:
            kwargs[key] = str(item)
    if "name" not in kwargs:
        raise SourceError("a source has no name")
    return Source(**kwargs)


_LIST_FIELDS = frozenset(
    ("start_urls", "feeds", "sitemaps", "allow", "deny", "domains", "article_urls")
)


def select_sources(
    configured: Iterable[Source | Mapping[str, Any]],
    source: str | None = None,
    url: str | None = None,
) -> list[SourcePlan]:
    """The sources of this run: all configured ones, the one named ``source``, or ``url``."""
    if url:
        return [SourcePlan.ad_hoc(url)]
    plans = [SourcePlan.from_source(as_source(d)) for d in configured]
    if source:
        wanted = [p for p in plans if p.name == source]
        if not wanted:
            names = ", ".join(p.name for p in plans) or "none configured"
            raise SourceError(f"no source named {source!r} in sources ({names})")
        return wanted
    return plans
