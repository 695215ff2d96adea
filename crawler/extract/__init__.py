"""The article extractor: HTML page -> article dict (the only package that imports trafilatura)."""

from __future__ import annotations

from crawler.extract.bounds import looks_binary, refusal

# Importing the package stays light: trafilatura is imported on the first extraction, in
# the extraction workers, never in the crawl process (which needs looks_like_article,
# the options and the version).
from crawler.extract.core import extract_article
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
    worker_extract,
    worker_extract_pages,
    worker_init,
    worker_ready,
)

__all__ = [
    "EXTRACTOR_NAME",
    "FAVOR_CHOICES",
    "ExtractionOptions",
    "PageTooLargeForWorker",
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
