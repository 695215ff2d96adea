"""Article dicts as JSON Lines in gzip shards (one gzip member per line), rotated and shipped."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.config import DEFAULT_SETTINGS
from crawler.items import ArticleItem
from pipelines import spoolguard
from pipelines.gzfiles import (
    MB,
    OPEN_DIR,
    OPEN_SUFFIX,
    READY_DIR,
    ClosedFile,
    MemberLocation,
    RotatingMemberWriter,
    Shipper,
    default_host,
    ensure_spool,
    file_host,
    make_file_name,
    move_to_ready,
    object_key,
    recover_open_files,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

JSON_EXT = "jsonl.gz"
JSON_STORE = "json"


@dataclass(frozen=True)
class JsonConfig:
    """Everything the shard writer reads from the settings."""

    spool: Path
    prefix: str = DEFAULT_SETTINGS["ARCHIVE_WARC_PREFIX"]
    max_file_bytes: int = int(DEFAULT_SETTINGS["ARCHIVE_JSON_MAX_FILE_MB"] * MB)
    max_records: int = DEFAULT_SETTINGS["ARCHIVE_JSON_MAX_RECORDS"]
    host: str = field(default_factory=default_host)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> JsonConfig:
        max_mb = settings.getfloat(
            "ARCHIVE_JSON_MAX_FILE_MB", DEFAULT_SETTINGS["ARCHIVE_JSON_MAX_FILE_MB"]
        )
        max_records = settings.getint(
            "ARCHIVE_JSON_MAX_RECORDS", DEFAULT_SETTINGS["ARCHIVE_JSON_MAX_RECORDS"]
        )
        if max_mb <= 0:
            raise ValueError(f"ARCHIVE_JSON_MAX_FILE_MB (json.max_file_mb) must be > 0: {max_mb}")
        if max_records < 0:
            raise ValueError(
                f"ARCHIVE_JSON_MAX_RECORDS (json.max_records) must be >= 0: {max_records}"
            )
        return cls(
            spool=Path(
                settings.get("ARCHIVE_STORAGE_SPOOL") or DEFAULT_SETTINGS["ARCHIVE_STORAGE_SPOOL"]
            ),
            prefix=settings.get("ARCHIVE_WARC_PREFIX") or DEFAULT_SETTINGS["ARCHIVE_WARC_PREFIX"],
            max_file_bytes=int(max_mb * MB),
            max_records=max_records,
            host=file_host(settings),
        )


def encode_line(obj: Any) -> bytes:
    """One JSON Lines line, UTF-8, compact; non-JSON values (datetimes...) as strings."""
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode(
        "utf-8"
    )


def validate_line(data: bytes) -> bool:
    """True if a decompressed member is exactly one complete JSON line."""
    if not data.endswith(b"\n") or data.count(b"\n") != 1:
        return False
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


class JsonShardWriter:
    """Writes JSON objects to rotating `.jsonl.gz` shards and ships each finished shard."""

    def __init__(
        self,
        config: JsonConfig,
        *,
        uploader: Shipper | None = None,
        on_stat: Callable[[str, int], None] | None = None,
    ) -> None:
        self.config = config
        self.uploader = uploader
        self._on_stat = on_stat
        self.spool = ensure_spool(config.spool)
        self.shipped: list[Path] = []
        self.writer = RotatingMemberWriter(
            self.spool / OPEN_DIR,
            name_factory=self._name,
            on_complete=self.finish,
            max_bytes=config.max_file_bytes,
            max_records=config.max_records,
            ready_dir=self.spool / READY_DIR / JSON_STORE,
        )

    def _name(self, serial: int, created: datetime) -> str:
        return make_file_name(self.config.prefix, created, serial, self.config.host, JSON_EXT)

    def _count(self, name: str, value: int = 1) -> None:
        if self._on_stat is not None:
            self._on_stat(name, value)

    def write(self, obj: Any) -> MemberLocation:
        location = self.writer.write(encode_line(obj))
        self._count("records")
        return location

    def finish(self, closed: ClosedFile) -> Path:
        """Move a closed shard to `spool/ready/json/<key>` and hand it to the uploader."""
        key = object_key(closed.name)
        path = move_to_ready(self.spool, JSON_STORE, key, closed.path)
        self._count("files")
        self.shipped.append(path)
        if self.uploader is not None:
            self.uploader.submit(path, JSON_STORE, key, records=closed.records, kind="jsonl")
        return path

    def recover(self) -> list[ClosedFile]:
        """Truncate crashed `.open` shards to their last complete line and ship them."""
        return recover_open_files(
            self.spool / OPEN_DIR, "." + JSON_EXT, validate=validate_line, finish=self.finish
        )

    def close(self) -> None:
        self.writer.close()


class JsonLinesPipeline:
    """Item pipeline: every item (an article dict) becomes one line of a gzip JSONL shard."""

    def __init__(self, crawler: Crawler, config: JsonConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.uploader: Shipper | None = None
        self.shards: JsonShardWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonLinesPipeline:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool(
            "ARCHIVE_JSON_ENABLED", DEFAULT_SETTINGS["ARCHIVE_JSON_ENABLED"]
        ):
            raise NotConfigured("ARCHIVE_JSON_ENABLED is off")
        if not crawler.settings.getbool(
            "ARCHIVE_EXTRACTION_ENABLED", DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_ENABLED"]
        ):
            raise NotConfigured("archive-only crawl (extraction.enabled: false): no article JSON")
        # a bad value stops the crawl (ValueError): an archive must not silently go missing
        config = JsonConfig.from_settings(crawler.settings)
        pipeline = cls(crawler, config)
        from pipelines.storage import uploader_of

        pipeline.uploader = uploader_of(crawler)
        return pipeline

    def _stat(self, name: str, value: int) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newsvault/json/{name}", value)

    def open_spider(self) -> None:
        self.shards = JsonShardWriter(self.config, uploader=self.uploader, on_stat=self._stat)
        self.shards.recover()

    def process_item(self, item: Any) -> Any:
        from itemadapter import ItemAdapter
        from scrapy.exceptions import DropItem

        assert self.shards is not None
        if spoolguard.stopped(self.crawler):
            # not written, so not recorded in the state index either: the next run has it
            spoolguard.skip_write(self.crawler)
            raise DropItem("the spool is full; the crawl is stopping", log_level="DEBUG")
        if isinstance(item, ArticleItem):
            obj = item.article.to_dict()
        else:
            obj = item if isinstance(item, dict) else ItemAdapter(item).asdict()
        try:
            self.shards.write(obj)
        except OSError as exc:
            if not spoolguard.is_write_error(exc):
                raise
            name = self.shards.writer.current_name
            spoolguard.spool_write_failed(
                self.crawler, self.shards.writer.open_dir / f"{name}{OPEN_SUFFIX}", exc
            )
            raise DropItem("the spool is full; the crawl is stopping", log_level="DEBUG") from None
        return item

    def close_spider(self) -> None:
        if self.shards is not None:
            self.shards.close()
