"""Shared start-up for `scrapy crawl` and `newsvault crawl`: validate config, check stores."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from crawler.config import CONFIG_ENV, ArchiveConfig, ConfigError, load_config, to_settings

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


# Finish reasons of a crawl that did its job (a page or item cap is a normal end).
OK_FINISH_REASONS = frozenset(
    {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
)


class StartupError(RuntimeError):
    """A problem found before any page is fetched, as one sentence with the fix."""


def config_path_from(settings: Settings | None, explicit: str | None = None) -> str | None:
    if explicit:
        return explicit
    if os.environ.get(CONFIG_ENV):
        return os.environ[CONFIG_ENV]
    if settings is not None and settings.get("NEWSVAULT_CONFIG"):
        return str(settings.get("NEWSVAULT_CONFIG"))
    return None


def preflight(
    settings: Settings, config_path: str | None = None, *, create_bucket: bool = False
) -> ArchiveConfig:
    """Load and validate the config and probe every store, writing nothing on failure.

    Returns the config. Raises StartupError with a one-line message.
    """
    try:
        cfg = load_config(config_path_from(settings, config_path))
    except ConfigError as exc:
        raise StartupError(str(exc)) from None
    effective = settings.copy()
    for name, value in to_settings(cfg).items():
        effective.set(name, value, priority="addon")
    from pipelines.storage import StorageConfigError, check_stores

    try:
        check_stores(effective, create_bucket=create_bucket)
    except StorageConfigError as exc:
        raise StartupError(str(exc)) from None
    return cfg
