"""Shared start-up for `scrapy crawl` and the `newsvault` commands: read the config once, check stores."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.config import (
    DEFAULT_SETTINGS,
    TUNING_SETTINGS,
    ArchiveConfig,
    ConfigError,
    load_config,
    require_sources,
    resolve_config_path,
    settings_value,
    to_settings,
)
from crawler.outcome import EXIT_FAILED, EXIT_USAGE
from crawler.runlock import ArchiveLock, LockHeld

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)


#: Domains reserved for examples (RFC 2606/6761): sources there are the shipped placeholders.
_EXAMPLE_HOSTS = ("example.com", "example.org", "example.net")
_EXAMPLE_TLDS = (".example", ".test", ".invalid")

#: Spool locks this process holds until it exits (one crawl per archive at a time).
_LOCKS: dict[Path, ArchiveLock] = {}


class StartupError(RuntimeError):
    """A problem found before any page is fetched, as one sentence with the fix."""

    exit_code = EXIT_FAILED


class UsageError(StartupError):
    """What was typed or written is wrong and nothing ran: the command line or the config file.

    An argument, a `-s` value, an unknown source, or a missing, unreadable or invalid
    config file (the exit-code table of the README: 2, usage).
    """

    exit_code = EXIT_USAGE


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


def check_overrides(settings: BaseSettings) -> None:
    """Every `-s NAME=VALUE` of a known number or switch setting must parse; UsageError if not."""
    from scrapy.settings import SETTINGS_PRIORITIES, default_settings

    cmdline = SETTINGS_PRIORITIES["cmdline"]
    for name in list(settings.attributes):
        if settings.getpriority(name) != cmdline:
            continue
        value = settings.get(name)
        if not isinstance(value, str):
            continue
        default = DEFAULT_SETTINGS.get(name, getattr(default_settings, name, None))
        try:
            if isinstance(default, bool):
                settings.getbool(name)
                continue
            if isinstance(default, (int, float)):
                settings.getfloat(name)
        except ValueError:
            kind = "true or false" if isinstance(default, bool) else "a number"
            raise UsageError(
                f"-s {name}={value!r}: expected {kind} (the default is {default!r})"
            ) from None


def _example_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(_EXAMPLE_TLDS) or any(
        host == d or host.endswith("." + d) for d in _EXAMPLE_HOSTS
    )


def placeholder_problem(cfg: ArchiveConfig) -> str | None:
    """Why ``cfg`` is still the shipped example (sources on example domains), or None."""
    for source in cfg.sources:
        urls = (*source.start_urls, *source.feeds, *source.sitemaps)
        if urls and all(_example_host(u) for u in urls):
            return (
                f"{cfg.path or 'the config'}: source {source.name!r} is the shipped example "
                f"({urls[0]}): set your own sources and crawl.user_agent (a name and contact "
                "URL) first; `make demo` shows a crawl of the bundled sample site"
            )
    return None


def hold_archive_lock(spool: Path, **about: str) -> None:
    """Take the archive's crawl lock for the rest of this process (StartupError if held)."""
    key = spool.absolute()
    if key in _LOCKS:
        return
    lock = ArchiveLock(spool)
    try:
        lock.acquire(**about)
    except LockHeld as exc:
        raise StartupError(str(exc)) from None
    _LOCKS[key] = lock


def release_archive_locks() -> None:
    for lock in _LOCKS.values():
        lock.release()
    _LOCKS.clear()


def preflight(
    settings: BaseSettings,
    config_path: str | None = None,
    *,
    create_bucket: bool = False,
    source: str | None = None,
    url: str | None = None,
) -> ArchiveConfig:
    """Check `-s` values, the config, the sources asked for, the spool and every store.

    Writes nothing on failure (the spool probe leaves no file). Takes the archive's crawl
    lock for the rest of the process. Returns the config, which the add-on then uses
    without reading the file again. Raises StartupError (UsageError for command-line
    mistakes) with a one-line message; its ``exit_code`` is what the launcher returns.
    """
    check_overrides(settings)
    try:
        cfg = read_config(settings, config_path)
        if not url:  # an ad-hoc --url crawl needs no configured source
            require_sources(cfg)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    problem = placeholder_problem(cfg)
    if problem:
        raise UsageError(problem)
    from crawler.discovery.sources import SourceError, select_sources

    try:
        select_sources(cfg.sources, source=source, url=url)
    except SourceError as exc:
        if source:
            raise UsageError(f"{exc}; check --source / -a source=NAME") from None
        if url:
            raise UsageError(f"{exc}; check --url / -a url=URL") from None
        raise UsageError(f"{cfg.path}: {exc}") from None
    from pipelines.storage import StorageConfigError, check_stores, probe_writable

    effective = apply_config(settings, cfg)
    redis_url = effective.get("ARCHIVE_REDIS_URL")
    if redis_url:
        join_worker(settings, effective, cfg)
    spool = Path(str(settings_value(effective, "ARCHIVE_STORAGE_SPOOL")))
    try:
        probe_writable(spool / "ready")
    except OSError as exc:
        raise StartupError(
            f"storage.spool {str(spool)!r} is not a usable directory "
            f"({exc.strerror or exc}): fix it or point storage.spool at a writable local directory"
        ) from None
    worker = str(effective.get("ARCHIVE_WORKER_ID") or "") if redis_url else ""
    try:
        hold_archive_lock(spool, config=str(cfg.path), **({"worker": worker} if worker else {}))
    except StartupError as exc:
        if worker:
            raise StartupError(
                f"worker {worker}: {exc}; workers on one machine need a spool each: leave "
                "storage.spool unset (each worker then gets its own) or give each its own "
                "with -s ARCHIVE_STORAGE_SPOOL=DIR"
            ) from None
        raise
    try:
        check_stores(effective, create_bucket=create_bucket)
    except StorageConfigError as exc:
        raise StartupError(str(exc)) from None
    return cfg


def join_worker(settings: BaseSettings, effective: BaseSettings, cfg: ArchiveConfig) -> None:
    """A distributed crawl: check Redis and join the run now, so that the worker's own
    spool (``.newsvault/spool-HASH~WORKER`` without ``storage.spool``) is known before its
    lock is taken. The add-on joins again with the same ids (``ARCHIVE_RUN_ID``,
    ``ARCHIVE_WORKER_ID``)."""
    from crawler.addon import join_distributed_run
    from crawler.distributed.run import JoinError, check_redis

    problem = check_redis(str(effective.get("ARCHIVE_REDIS_URL")))
    if problem:
        raise StartupError(problem)
    try:
        join_distributed_run(effective, cfg)
    except JoinError as exc:
        raise StartupError(str(exc)) from None
    for name in ("ARCHIVE_RUN_ID", "ARCHIVE_WORKER_ID"):
        if (settings.getpriority(name) or 0) <= (effective.getpriority(name) or 0):
            settings.set(name, effective.get(name), priority=effective.getpriority(name) or 0)


def forget_finished_job(settings: BaseSettings, stats: dict[str, object]) -> None:
    """Empty ``crawl.jobdir`` (JOBDIR) after a crawl that finished its work.

    A stopped crawl keeps its queue and seen requests there to resume; a finished one
    must not, or the next scheduled run would skip every start URL as already seen.
    """
    jobdir = settings.get("JOBDIR")
    if not jobdir or stats.get("finish_reason") != "finished":
        return
    path = Path(str(jobdir))
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
        logger.info("Crawl finished: cleared its job directory %s", path)
