"""The capture index: one Parquet row per archived HTTP capture, written per run.

In the spirit of Common Crawl's columnar index: a researcher queries it with SQL (DuckDB,
pandas, polars), then fetches just the records she wants by byte range. The crawl writes
``index/RUN_ID.parquet`` into the WARC store from what the WARC writer already knows
(`nv_warc`: file, offset, length, digest), so no WARC is read back; `build_from_cdxj` makes
the same table for runs crawled before the index existed, from their CDXJ files.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pyarrow as pa
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from pipelines.storage import Uploader

logger = logging.getLogger(__name__)

INDEX_STORE = "warc"
INDEX_KIND = "index"
#: Runs after the WARC and JSON files are shipped, before the manifest (1000) lists them.
INDEX_HOOK_ORDER = 500

#: Column name -> (pyarrow type name, meaning); the README's table is made from this.
COLUMNS: dict[str, tuple[str, str]] = {
    "url": ("string", "the URL fetched"),
    "urlkey": ("string", "its SURT key, as in the CDXJ (sorts by host, then path)"),
    "host": ("string", "host name, lower case"),
    "registered_domain": ("string", "registered domain (public suffix list); null for IPs"),
    "fetch_time": ("timestamp", "WARC-Date of the capture, UTC"),
    "status": ("int16", "HTTP status"),
    "mime": ("string", "Content-Type without parameters (warc/revisit for revisits)"),
    "payload_digest": ("string", "WARC-Payload-Digest, e.g. sha1:..."),
    "warc_filename": ("string", "the WARC file's name"),
    "warc_key": ("string", "the WARC file's key in the archive's warc/ store"),
    "record_offset": ("int64", "byte offset of the record's gzip member in the WARC file"),
    "record_length": ("int64", "length of that gzip member"),
    "record_type": ("string", "response or revisit"),
    "source": ("string", "the configured source that fetched it"),
    "is_article": ("bool", "whether the capture became an article in the JSON"),
    "run_id": ("string", "the crawl run"),
}


def index_key(run_id: str, worker_id: str = "") -> str:
    """Where a run's index lives in the WARC store (one per worker of a distributed run)."""
    return f"index/{run_id}~{worker_id}.parquet" if worker_id else f"index/{run_id}.parquet"


def schema() -> pa.Schema:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "int16": pa.int16(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
    }
    return pa.schema([(name, types[kind]) for name, (kind, _) in COLUMNS.items()])


@lru_cache(maxsize=1)
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str | None:
    """``news.example.co.uk`` -> ``example.co.uk``; None for IP addresses and bare suffixes."""
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return None
    return _psl().privatesuffix(host.lower().rstrip("."))


def surt_key(url: str) -> str:
    """The URL's SURT key, as in the CDXJ (one cache for both)."""
    from pipelines.warc.cdxj import surt_key as cdxj_surt_key

    return cdxj_surt_key(url)


def parse_warc_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        if value.isdigit():  # a CDXJ timestamp, YYYYmmddHHMMSS[ffffff]
            fmt = "%Y%m%d%H%M%S%f" if len(value) > 14 else "%Y%m%d%H%M%S"
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def warc_key_of(filename: str) -> str:
    from pipelines.gzfiles import object_key

    return object_key(filename)


def capture_row(
    *,
    url: str,
    fetch_time: datetime | None,
    status: int | None,
    mime: str | None,
    payload_digest: str | None,
    warc_filename: str,
    offset: int,
    length: int,
    revisit: bool,
    source: str | None,
    is_article: bool,
    run_id: str,
    urlkey: str | None = None,
    warc_key: str | None = None,
) -> dict[str, Any]:
    host = (urlsplit(url).hostname or "").lower()
    return {
        "url": url,
        "urlkey": urlkey or surt_key(url),
        "host": host,
        "registered_domain": registered_domain(host),
        "fetch_time": fetch_time,
        "status": status,
        "mime": "warc/revisit" if revisit else (mime or None),
        "payload_digest": payload_digest,
        "warc_filename": warc_filename,
        "warc_key": warc_key or warc_key_of(warc_filename),
        "record_offset": offset,
        "record_length": length,
        "record_type": "revisit" if revisit else "response",
        "source": source,
        "is_article": is_article,
        "run_id": run_id,
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def table_from_rows(rows: Iterable[Mapping[str, Any]], table_schema: pa.Schema) -> pa.Table:
    """The same table as ``pa.Table.from_pylist(rows, schema=table_schema)``.

    Built by Arrow's JSON reader: ``pa.array`` on Python lists imports pandas where it is
    installed (half a second or more, at the end of every crawl), the JSON reader does not.
    """
    import io

    import pyarrow.json as pj

    data = "".join(json.dumps(row, default=_json_value) + "\n" for row in rows).encode("utf-8")
    return pj.read_json(
        io.BytesIO(data),
        # one block: no row can straddle two
        read_options=pj.ReadOptions(block_size=max(len(data), 1 << 20)),
        parse_options=pj.ParseOptions(
            explicit_schema=table_schema, unexpected_field_behavior="error"
        ),
    )


def write_index(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write rows, sorted by URL key and time, as Parquet at ``path`` (atomically)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ordered = sorted(
        rows,
        key=lambda r: (r["urlkey"], r["fetch_time"] or datetime.min.replace(tzinfo=timezone.utc)),
    )
    table = pa.Table.from_pylist(ordered, schema=schema())
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
    return table.num_rows


# --------------------------------------------------------------------------- older runs


def rows_from_cdxj(
    text: str,
    *,
    warc_key: str,
    run_id: str,
    articles: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
    source_of: Mapping[str, str] | None = None,
    default_source: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Index rows from one WARC's CDXJ lines (responses and revisits, GET only).

    ``articles`` holds (warc file name, offset) of the records that became articles;
    ``source_of`` maps a host to its source (from the run's articles).
    """
    for line in text.splitlines():
        if not line.strip():
            continue
        urlkey, timestamp, body = line.split(" ", 2)
        fields = json.loads(body)
        url = str(fields.get("url", ""))
        filename = str(fields.get("filename") or warc_key.rsplit("/", 1)[-1])
        offset = int(fields.get("offset", 0))
        mime = fields.get("mime")
        status = fields.get("status")
        host = (urlsplit(url).hostname or "").lower()
        yield capture_row(
            url=url,
            urlkey=urlkey,
            fetch_time=parse_warc_date(timestamp),
            status=int(status) if status and str(status).isdigit() else None,
            mime=mime,
            payload_digest=fields.get("digest"),
            warc_filename=filename,
            warc_key=warc_key,
            offset=offset,
            length=int(fields.get("length", 0)),
            revisit=mime == "warc/revisit",
            source=(source_of or {}).get(host, default_source),
            is_article=(filename, offset) in articles,
            run_id=run_id,
        )


# --------------------------------------------------------------------------- Scrapy glue


@dataclass(frozen=True)
class CaptureIndexConfig:
    run_id: str
    worker_id: str = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureIndexConfig:
        return cls(
            run_id=str(crawler.settings.get("ARCHIVE_RUN_ID") or ""),
            worker_id=str(crawler.settings.get("ARCHIVE_WORKER_ID") or ""),
        )


class CaptureIndexExtension:
    """Notes every capture the WARC writer made and writes ``index/RUN_ID.parquet``.

    Each row goes to a JSON Lines file in the spool as it is made, so memory stays flat
    however long the crawl. A close hook of the crawl's uploader (after the last WARC is
    shipped, before the manifest that lists the index) turns them into the Parquet index,
    marking the captures that became articles, in a child process: importing pyarrow
    alone would add ~100 MB to the crawl process for the rest of the run.
    """

    #: rows per Parquet row group (and per batch the child process holds)
    BATCH_ROWS = 10_000

    def __init__(self, crawler: Crawler, config: CaptureIndexConfig) -> None:
        self.crawler = crawler
        self.config = config
        # record offsets of the captures that became articles, per WARC file name: eight
        # bytes an article (a set of (name, offset) tuples took ~200 for the whole crawl)
        self.articles: dict[str, array[int]] = {}
        self.open_dir: Path | None = None
        self._spill: TextIO | None = None  # the rows so far, opened on the first capture
        self.count = 0

    @property
    def spill_path(self) -> Path:
        assert self.open_dir is not None
        return self.open_dir / f"{self.config.run_id}.captures.jsonl.open"

    def add_row(self, row: dict[str, Any]) -> None:
        """Write one capture's row to the spool (rows are never held in memory)."""
        if self.open_dir is None:
            return  # no uploader: no index (spider_opened warned)
        if self._spill is None:
            self.open_dir.mkdir(parents=True, exist_ok=True)
            # line-buffered: a row is on disk once written, nothing piles up in memory
            self._spill = open(self.spill_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
        fetch_time = row.get("fetch_time")
        row = {**row, "fetch_time": fetch_time.isoformat() if fetch_time else None}
        self._spill.write(json.dumps(row, separators=(",", ":")) + "\n")
        self.count += 1

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureIndexExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        from crawler.config import DEFAULT_SETTINGS

        def enabled(name: str) -> bool:
            return crawler.settings.getbool(name, DEFAULT_SETTINGS[name])

        if not enabled("ARCHIVE_CAPTURE_INDEX_ENABLED"):
            raise NotConfigured("ARCHIVE_CAPTURE_INDEX_ENABLED is off")
        if not enabled("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("no WARC files to index (ARCHIVE_WARC_ENABLED is off)")
        config = CaptureIndexConfig.from_crawler(crawler)
        if not config.run_id:
            raise NotConfigured("ARCHIVE_RUN_ID is not set (is the newsvault add-on enabled?)")
        ext = cls(crawler, config)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        from scrapy import signals

        from pipelines.storage import UploadExtension

        # Connected now, after every from_crawler: the WARC writer's response_downloaded
        # receiver (which sets nv_warc) is then called before ours.
        self.crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        self.crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        upload = self.crawler.get_extension(UploadExtension)
        if upload is None:
            logger.warning("UploadExtension is not enabled: no capture index will be written")
            return
        self.open_dir = upload.uploader.spool / "open"
        remove_stale_rows(self.open_dir, self.config.run_id)
        upload.uploader.add_close_hook(self.write, order=INDEX_HOOK_ORDER)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        warc = request.meta.get("nv_warc")
        if not warc:
            return
        content_type = response.headers.get(b"Content-Type") or b""
        mime = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
        self.add_row(
            capture_row(
                url=str(warc.get("url") or request.url.split("#", 1)[0]),
                fetch_time=parse_warc_date(str(warc.get("warc_date") or "")),
                status=response.status,
                mime=mime or None,
                payload_digest=warc.get("payload_digest"),
                warc_filename=str(warc["warc_file"]),
                offset=int(warc["offset"]),
                length=int(warc["length"]),
                revisit=bool(warc.get("revisit")),
                source=request.meta.get("nv_source"),
                is_article=False,
                run_id=self.config.run_id,
            )
        )

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        from crawler.items import Article, ArticleItem

        # the last item pipeline hands on the Article; a project may re-order them
        article = item.article if isinstance(item, ArticleItem) else item
        if isinstance(article, Article):
            prov = article.provenance
            if prov.warc_file and prov.offset is not None:
                self.mark_article(prov.warc_file, int(prov.offset))

    def mark_article(self, warc_file: str, offset: int) -> None:
        """The capture at ``offset`` of ``warc_file`` became an article."""
        offsets = self.articles.get(warc_file)
        if offsets is None:
            offsets = self.articles[warc_file] = array("q")
        offsets.append(offset)

    def write(self, uploader: Uploader) -> Path | None:
        """Close hook: write the run's index to the spool and queue it for the WARC store."""
        self.open_dir = uploader.spool / "open"
        if self._spill is None:
            return None
        self._spill.close()
        self._spill = None
        key = index_key(self.config.run_id, self.config.worker_id)
        tmp = self.open_dir / (key.rsplit("/", 1)[-1] + ".open")
        marks = self.open_dir / f"{self.config.run_id}.articles.json.open"
        marks.write_text(json.dumps({name: list(o) for name, o in self.articles.items()}))
        child = multiprocessing.get_context("spawn").Process(
            target=build_index_file,
            args=(str(self.spill_path), str(marks), str(tmp), self.BATCH_ROWS),
            name="newsvault-capture-index",
        )
        child.start()
        child.join()
        marks.unlink(missing_ok=True)
        if child.exitcode != 0:
            tmp.unlink(missing_ok=True)
            raise RuntimeError(
                f"building the capture index from {self.spill_path} failed "
                f"(exit code {child.exitcode}); `newsvault index` can build it from the CDXJ files"
            )
        self.spill_path.unlink()
        path = uploader.submit(tmp, INDEX_STORE, key, records=self.count, kind=INDEX_KIND)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsvault/index/rows", self.count)
        logger.info("Capture index %s: %d capture(s)", key, self.count)
        return path


def remove_stale_rows(open_dir: Path, run_id: str) -> list[Path]:
    """Delete the index rows a killed crawl left in this spool (not ``run_id``'s own).

    The spool is this crawl's alone (its lock), so rows of another run are a dead run's.
    Nothing is lost: that run's WARCs are recovered with their CDXJ, from which
    `newsvault index` (and every archive command) builds its capture index.
    """
    removed = []
    for path in sorted(open_dir.glob("*.captures.jsonl.open")) + sorted(
        open_dir.glob("*.articles.json.open")
    ):
        if path.name.split(".", 1)[0] == run_id:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
        logger.info(
            "Removed %s, the capture index rows of a crawl that was killed; its index is "
            "built from its CDXJ files (newsvault index)",
            path,
        )
    return removed


def build_index_file(spill: str, marks: str, out: str, batch_rows: int = 10_000) -> int:
    """The Parquet index from a run's JSON Lines rows and its article marks (a child process)."""
    import pyarrow.parquet as pq

    articles = {
        (name, offset)
        for name, offsets in json.loads(Path(marks).read_text()).items()
        for offset in offsets
    }
    count = 0
    with (
        open(spill, encoding="utf-8") as lines,
        pq.ParquetWriter(out, schema(), compression="zstd") as writer,
    ):
        batch: list[dict[str, Any]] = []
        for line in lines:
            if not line.endswith("\n"):
                break  # a row cut short by a full disk: the rows before it stand
            row = json.loads(line)
            row["fetch_time"] = parse_warc_date(row["fetch_time"] or "")
            row["is_article"] = (row["warc_filename"], row["record_offset"]) in articles
            batch.append(row)
            if len(batch) >= batch_rows:
                writer.write_table(table_from_rows(batch, schema()))
                count += len(batch)
                batch = []
        if batch:
            writer.write_table(table_from_rows(batch, schema()))
            count += len(batch)
    return count
