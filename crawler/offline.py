"""Quiet offline start-up: Scrapy's cookie handling uses tldextract's bundled suffix list only."""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)

#: tldextract's documented switch: newline-separated list URLs; empty means none.
SUFFIX_LIST_ENV = "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"


def use_bundled_public_suffix_list() -> None:
    """Keep Scrapy's cookie middleware from downloading the Public Suffix List.

    Scrapy builds a module-level ``TLDExtract()`` that fetches the list from
    publicsuffix.org on first use: on an offline machine a long traceback in the first
    crawl's log, on any machine a request outside the configured sources. With no list
    URLs tldextract reads the snapshot it ships, which is what a failed download falls back
    to anyway. An operator who wants the live list sets the variable to its URL.
    """
    os.environ.setdefault(SUFFIX_LIST_ENV, "")
    cookies = sys.modules.get("scrapy.downloadermiddlewares.cookies")
    if cookies is None:
        return  # its extractor reads the environment when the module is imported
    from tldextract import TLDExtract

    current = getattr(cookies, "_split_domain", None)
    if (
        isinstance(current, TLDExtract)
        and current.suffix_list_urls
        and not os.environ[SUFFIX_LIST_ENV]
    ):
        # Imported before the add-on ran (another project's code): rebuild it the same way.
        cookies._split_domain = TLDExtract(include_psl_private_domains=True)  # type: ignore[attr-defined]
