"""Shared start-up for `scrapy crawl` and the `newsvault` commands: read the config once, check stores."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from crawler.config import (
    TUNING_SETTINGS,
    ArchiveConfig,
    ConfigError,
    load_config,
    resolve_config_path,
    to_settings,
)

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)


# Finish reasons of a crawl that did its job (a page or item cap is a normal end).
OK_FINISH_REASONS = frozenset(
    {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
)


class StartupError(RuntimeError):
    """A problem found before any page is fetched, as one sentence with the fix."""


def project_settings(overrides: Sequence[tuple[str, str]] = ()) -> Settings:
    """The newsvault Scrapy project's settings, with `-s NAME=VALUE` overrides applied."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in overrides:
        settings.set(name, value, priority="cmdline")
    return settings


def read_config(settings: BaseSettings, explicit: str | None = None) -> ArchiveConfig:
    """Read and validate the config file once, and hand it to the add-on through ``settings``."""
    from crawler.addon import CONFIG_SETTING

    cfg = load_config(resolve_config_path(explicit, settings.get("NEWSVAULT_CONFIG")))
    settings.set(CONFIG_SETTING, cfg, priority="cmdline")
    return cfg


def apply_config(settings: BaseSettings, cfg: ArchiveConfig) -> BaseSettings:
    """A copy of ``settings`` with the config applied as the add-on would (for non-crawl commands)."""
    effective = settings.copy()
    for name, value in to_settings(cfg).items():
        effective.set(name, value, priority="addon")
    for name, value in TUNING_SETTINGS.items():
        effective.set(name, value, priority="default")
    return effective


def preflight(
    settings: BaseSettings, config_path: str | None = None, *, create_bucket: bool = False
) -> ArchiveConfig:
    """Load and validate the config and probe every store, writing nothing on failure.

    Returns the config, which the add-on then uses without reading the file again.
    Raises StartupError with a one-line message.
    """
    try:
        cfg = read_config(settings, config_path)
    except ConfigError as exc:
        raise StartupError(str(exc)) from None
    from pipelines.storage import StorageConfigError, check_stores

    try:
        check_stores(apply_config(settings, cfg), create_bucket=create_bucket)
    except StorageConfigError as exc:
        raise StartupError(str(exc)) from None
    return cfg
