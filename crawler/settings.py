"""The Scrapy project around newsvault's add-on; `scrapy crawl news` reads this module.

Everything newsvault needs (its components, archival defaults, archive_config.yaml as
settings) comes from the add-on at "addon" priority, so this project, another project
that enables the add-on, and `-s NAME=VALUE` can all override it.
"""

from __future__ import annotations

BOT_NAME = "newsvault"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

ADDONS = {"crawler.addon.NewsvaultAddon": 0}

# Read before the add-on runs (CrawlerProcess configures logging first).
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"

# Scrapy re-reads a callback's source (inspect + ast) to warn about ``return value`` in a
# generator each time its cache entry is collected: dozens of times per crawl, on the
# reactor thread. The news spider's callbacks are tested instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
