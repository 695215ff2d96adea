"""TEMPORARY until the extraction split lands."""

from crawler.extraction import (  # noqa: F401
    EXTRACTOR_NAME,
    FAVOR_CHOICES,
    ExtractionOptions,
    extract_article,
    extractor_version,
    looks_like_article,
    worker_extract,
    worker_init,
    worker_ready,
)
