"""Static Scrapy defaults for newsvault; archive_config.yaml is applied by the add-on."""

from __future__ import annotations

BOT_NAME = "newsvault"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# archive_config.yaml -> ARCHIVE_* settings, at "addon" priority so `-s` still wins.
ADDONS = {"crawler.addon.ArchiveConfigAddon": 0}

# Politeness (robots.txt, user agent, concurrency, delays, size and depth limits) comes
# from archive_config.yaml through the add-on: defining those settings here, at "project"
# priority, would silently override the operator's file. See crawler/config.py defaults.
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
DEPTH_PRIORITY = 1
REDIRECT_MAX_TIMES = 10

# zstd (advertised by Scrapy >= 2.18) cannot be replayed by pywb, ReplayWeb.page or
# warcio; DefaultHeadersMiddleware runs before HttpCompressionMiddleware's setdefault.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate, br",
}

# No remote code execution endpoints on an unattended crawler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawler.addon.QuietLoggers": 0,
    "pipelines.warc.WarcWriterExtension": 100,
    "pipelines.manifest.RunManifestExtension": 900,
}

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateNetworkMiddleware": 50,
    # just above HttpCompressionMiddleware (590), whose response it prepares
    "crawler.middlewares.EncodedBodyMiddleware": 595,
}

# Outputs of one response processed at once. Scrapy starts this many tasks for every
# response (default 100); a newsvault page yields one item and a few requests.
CONCURRENT_ITEMS = 16

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 100,
    "pipelines.cleaned_json.JsonLinesPipeline": 500,
    "pipelines.state.StatePipeline": 900,
}

LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
FEED_EXPORT_ENCODING = "utf-8"
