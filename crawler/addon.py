"""The newsvault Scrapy add-on: the config file as settings, and every newsvault component."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

from crawler.config import (
    TUNING_SETTINGS,
    ArchiveConfig,
    load_config,
    resolve_config_path,
    to_settings,
)
from crawler.offline import use_bundled_public_suffix_list
from pipelines.manifest import new_run_id

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: Set by the launchers (`newsvault crawl`, the project's `scrapy crawl`) to the config
#: they already read and validated, so the file is read once per crawl.
CONFIG_SETTING = "ARCHIVE_CONFIG"

#: What newsvault brings, by component setting. Enabling the add-on in any Scrapy project
#: is the whole installation; a project can still re-order or disable (None) any of them.
COMPONENTS: dict[str, dict[str, int | None]] = {
    "EXTENSIONS": {
        # no remote code execution endpoints on an unattended crawler
        "scrapy.extensions.telnet.TelnetConsole": None,
        "scrapy.extensions.remote_control.RemoteControl": None,
        # crawler.progress.ProgressExtension shows more, every ARCHIVE_PROGRESS_INTERVAL s
        "scrapy.extensions.logstats.LogStats": None,
        "crawler.quietlogs.QuietLoggers": 0,
        "crawler.heaptrim.HeapTrimExtension": 1,
        "crawler.pagesize.PageSizeLimit": 50,
        "pipelines.storage.UploadExtension": 10,
        "pipelines.state.StateExtension": 20,
        # after AutoThrottle (0): it restores the Crawl-delay floor AutoThrottle may undercut
        "crawler.politeness.CrawlDelayExtension": 30,
        "pipelines.warc.WarcWriterExtension": 100,
        "pipelines.capture_index.CaptureIndexExtension": 110,
        "crawler.outcome.RunOutcomeExtension": 850,
        "crawler.progress.ProgressExtension": 860,
        "pipelines.manifest.RunManifestExtension": 900,
    },
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.middlewares.PrivateNetworkMiddleware": 50,
        # just above HttpCompressionMiddleware (590), whose response it prepares
        "crawler.middlewares.EncodedBodyMiddleware": 595,
    },
    "SPIDER_MIDDLEWARES": {
        "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
        "crawler.politeness.RedirectDepthMiddleware": 900,
        # distributed crawls only (crawl.redis_url); switches itself off otherwise
        "crawler.distributed.seeding.SeedOnceMiddleware": 0,
        "crawler.distributed.seeding.ArticleOnceMiddleware": 1,
    },
    "ITEM_PIPELINES": {
        "pipelines.extraction.ExtractionPipeline": 100,
        "pipelines.cleaned_json.JsonLinesPipeline": 500,
        "pipelines.state.StatePipeline": 900,
    },
}

#: Scheduler and dupefilter of a distributed crawl (crawl.redis_url), at "addon" priority.
DISTRIBUTED_SETTINGS: dict[str, Any] = {
    "SCHEDULER": "crawler.distributed.scheduler.DistributedScheduler",
    # scrapy-redis reads DUPEFILTER_CLASS; on Scrapy 2.19 it must be a Redis one.
    "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.RunDupeFilter",
}

#: Scrapy settings an archive crawl needs, at "addon" priority: a project's own
#: settings.py and `-s` still win.
ARCHIVAL_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 60,
    "DEPTH_PRIORITY": 1,
    "REDIRECT_MAX_TIMES": 10,
    # A body shorter than its Content-Length is kept (and archived with WARC-Truncated:
    # disconnect), not retried and dropped: it is what the server sent.
    "DOWNLOAD_FAIL_ON_DATALOSS": False,
    # zstd (advertised by Scrapy >= 2.18) cannot be replayed by pywb, ReplayWeb.page or
    # warcio; DefaultHeadersMiddleware runs before HttpCompressionMiddleware's setdefault.
    "DEFAULT_REQUEST_HEADERS": {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en",
        "Accept-Encoding": "gzip, deflate, br",
    },
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    # Outputs of one response processed at once. Scrapy starts this many tasks for every
    # response (default 100); a newsvault page yields one item and a few requests.
    "CONCURRENT_ITEMS": 16,
    "FEED_EXPORT_ENCODING": "utf-8",
}


class NewsvaultAddon:
    """Turn archive_config.yaml into settings and enable every newsvault component.

    Config-derived settings go in at "addon" priority (so `-s NAME=VALUE` wins); tuning
    settings without a config key at "default". Each crawl gets its one run id here
    (``ARCHIVE_RUN_ID``, unless given), which the state rows, the manifest, the WARC
    warcinfo records and every article's provenance carry.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        use_bundled_public_suffix_list()
        cfg = settings.get(CONFIG_SETTING)
        if not isinstance(cfg, ArchiveConfig):
            cfg = load_config(resolve_config_path(setting=settings.get("NEWSVAULT_CONFIG")))
        for name, value in to_settings(cfg).items():
            settings.set(name, value, priority="addon")
        for name, value in TUNING_SETTINGS.items():
            settings.set(name, value, priority="default")
        for name, value in ARCHIVAL_SETTINGS.items():
            settings.set(name, value, priority="addon")
        if settings.get("ARCHIVE_REDIS_URL"):
            join_distributed_run(settings, cfg)
        if not settings.get("ARCHIVE_RUN_ID"):
            settings.set("ARCHIVE_RUN_ID", new_run_id(), priority="addon")
        for setting, components in COMPONENTS.items():
            for path, order in components.items():
                settings.setdefault_in_component_priority_dict(setting, load_object(path), order)
        logger.debug("Loaded %s (config hash %s)", cfg.path, cfg.config_hash)


def join_distributed_run(settings: BaseSettings, cfg: ArchiveConfig) -> None:
    """Share the frontier in Redis: one run id for all workers, a worker id for this one,
    and (without ``storage.spool``) a spool of its own, so workers on one machine need
    nothing but the config. Joining twice in one process (pre-flight, then the add-on)
    keeps the same ids. JoinError if the worker cannot join.
    """
    from scrapy.settings import SETTINGS_PRIORITIES

    from crawler.distributed.config import DistributedConfig
    from crawler.distributed.run import join_run

    run_id, worker_id = join_run(DistributedConfig.from_settings(settings), new_run_id())
    settings.set("ARCHIVE_RUN_ID", run_id, priority="addon")
    settings.set("ARCHIVE_WORKER_ID", worker_id, priority="addon")
    for name, value in DISTRIBUTED_SETTINGS.items():
        settings.set(name, value, priority="addon")
    spool_priority = settings.getpriority("ARCHIVE_STORAGE_SPOOL") or 0
    if spool_priority <= SETTINGS_PRIORITIES["addon"]:  # not given with -s or in settings.py
        spool = cfg.storage.worker_spool_dir(worker_id)
        settings.set("ARCHIVE_STORAGE_SPOOL", spool, priority="addon")
