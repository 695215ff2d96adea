"""The article extractor: HTML page -> article dict (the only package that imports trafilatura)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.extract.bounds import looks_binary, refusal

# Importing the package stays light: trafilatura is imported on the first extraction, in
# the extraction workers, never in the crawl process (which needs looks_like_article,
# the options and the version). The extractor itself (`extract_article`, crawler.extract.core
# and its metadata, dates and comments modules) is imported on first use too: an
# archive-only crawl never needs it.
from crawler.extract.detect import looks_like_article
from crawler.extract.options import (
    EXTRACTOR_NAME,
    FAVOR_CHOICES,
    ExtractionOptions,
    extractor_version,
)
from crawler.extract.pages import extract_pages, merge_pages
from crawler.extract.worker import (
    PageTooLargeForWorker,
    WorkerRetired,
    worker_extract,
    worker_extract_pages,
    worker_init,
    worker_ready,
)

if TYPE_CHECKING:
    from crawler.extract.core import extract_article


def __getattr__(name: str) -> Any:
    if name == "extract_article":
        from crawler.extract.core import extract_article

        return extract_article
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXTRACTOR_NAME",
    "FAVOR_CHOICES",
    "ExtractionOptions",
    "PageTooLargeForWorker",
    "WorkerRetired",
    "extract_article",
    "extract_pages",
    "extractor_version",
    "looks_binary",
    "looks_like_article",
    "merge_pages",
    "refusal",
    "worker_extract",
    "worker_extract_pages",
    "worker_init",
    "worker_ready",
]
