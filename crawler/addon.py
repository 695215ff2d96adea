"""Scrapy add-on that turns archive_config.yaml into ARCHIVE_* settings at "addon" priority."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from crawler.config import CONFIG_ENV, load_config, to_settings

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class ArchiveConfigAddon:
    """Load the operator's config file; `-s NAME=VALUE` on the command line still wins."""

    def update_settings(self, settings: BaseSettings) -> None:
        path = os.environ.get(CONFIG_ENV) or settings.get("NEWSVAULT_CONFIG") or None
        cfg = load_config(path)
        for name, value in to_settings(cfg).items():
            settings.set(name, value, priority="addon")
        logger.debug("Loaded %s (config hash %s)", cfg.path, cfg.config_hash)
