from __future__ import annotations

import logging

import pytest

from crawler.distributed.seeding import SeedOnceMiddleware
from crawler.quietlogs import demote_own_disabled_notes


def disabled(clspath: object) -> None:
    # Scrapy's own call (scrapy.middleware.MiddlewareManager.from_crawler)
    logging.getLogger("scrapy.middleware").warning(
        "Disabled %(clspath)s: %(eargs)s", {"clspath": clspath, "eargs": "off by config"}
    )


def test_own_components_switched_off_by_config_are_noted_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    demote_own_disabled_notes()
    demote_own_disabled_notes()  # once only
    assert len(logging.getLogger("scrapy.middleware").filters) == 1
    with caplog.at_level(logging.INFO):
        disabled(SeedOnceMiddleware)
        disabled("pipelines.extraction.ExtractionPipeline")
        disabled("scrapy.extensions.telnet.TelnetConsole")
    levels = [(r.getMessage().split(":")[0], r.levelname) for r in caplog.records]
    assert levels == [
        ("Disabled <class 'crawler.distributed.seeding.SeedOnceMiddleware'>", "INFO"),
        ("Disabled pipelines.extraction.ExtractionPipeline", "INFO"),
        ("Disabled scrapy.extensions.telnet.TelnetConsole", "WARNING"),
    ]
