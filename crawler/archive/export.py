"""Articles of an archive as one typed table (Parquet, CSV, JSON Lines), written in batches."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.archive.catalog import Archive, ArchiveFile, Run

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "csv", "jsonl")
BATCH = 2000
READ_CHUNK = 4 * 1024 * 1024


class RangeReader(io.RawIOBase):
    """A stored file read front to back in ranged chunks, so no file is held whole in memory."""

    def __init__(self, archive: Archive, file: ArchiveFile, chunk: int = READ_CHUNK) -> None:
        self.archive, self.file, self.chunk = archive, file, chunk
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.file.size:
            return 0
        want = min(len(buffer), self.chunk, self.file.size - self.pos)
        data = self.archive.read_range(self.file, self.pos, want)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def iter_articles(archive: Archive, runs: Sequence[Run]) -> Iterator[dict[str, Any]]:
    """Every article of the runs' JSON shards, streamed."""
    for run in runs:
        for f in run.files_of("jsonl"):
            if f.status == "pending":
                continue
            raw = io.BufferedReader(RangeReader(archive, f), buffer_size=READ_CHUNK)
            with gzip.GzipFile(fileobj=raw) as lines:
                for line in lines:
                    if line.strip():
                        yield json.loads(line)


def to_utc(value: Any) -> datetime | None:
    """An ISO date or date-time as UTC (a date alone is its midnight UTC; no zone: UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def schema() -> pa.Schema:
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    comment = pa.struct(
        [
            ("id", pa.string()),
            ("parent_id", pa.string()),
            ("author", pa.string()),
            ("published", pa.string()),
            ("byline", pa.string()),
            ("text", pa.string()),
            ("permalink", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("url", pa.string()),
            ("canonical_url", pa.string()),
            ("source", pa.string()),
            ("title", pa.string()),
            ("authors", pa.list_(pa.string())),
            ("published", ts),
            ("published_text", pa.string()),
            ("modified", ts),
            ("modified_text", pa.string()),
            ("date_source", pa.string()),
            ("language", pa.string()),
            ("description", pa.string()),
            ("section", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("image", pa.string()),
            ("site_name", pa.string()),
            ("text", pa.string()),
            ("word_count", pa.int32()),
            ("comments", pa.list_(comment)),
            ("comment_count", pa.int32()),
            ("comments_status", pa.string()),
            ("comments_method", pa.string()),
            ("pages", pa.list_(pa.string())),
            ("comment_pages", pa.list_(pa.string())),
            ("missing_pages", pa.list_(pa.string())),
            ("fetched_at", ts),
            ("run_id", pa.string()),
            ("warc_file", pa.string()),
            ("record_id", pa.string()),
            ("warc_offset", pa.int64()),
            ("warc_length", pa.int64()),
            ("warc_date", ts),
            ("payload_digest", pa.string()),
            ("extractor_version", pa.string()),
        ]
    )


def row(article: dict[str, Any]) -> dict[str, Any]:
    prov = article.get("provenance") or {}
    comments = [
        {
            k: (None if c.get(k) is None else str(c.get(k)))
            # archives written before newsvault kept bylines give null
            for k in ("id", "parent_id", "author", "published", "byline", "text", "permalink")
        }
        for c in article.get("comments") or ()
    ]
    return {
        "url": article.get("url"),
        "canonical_url": article.get("canonical_url"),
        "source": article.get("source"),
        "title": article.get("title"),
        "authors": list(article.get("authors") or ()),
        "published": to_utc(article.get("published")),
        "published_text": article.get("published"),
        "modified": to_utc(article.get("modified")),
        "modified_text": article.get("modified"),
        "date_source": article.get("date_source"),
        "language": article.get("language"),
        "description": article.get("description"),
        "section": article.get("section"),
        "tags": list(article.get("tags") or ()),
        "image": article.get("image"),
        "site_name": article.get("site_name"),
        "text": article.get("text"),
        "word_count": article.get("word_count"),
        "comments": comments,
        "comment_count": len(comments),
        "comments_status": article.get("comments_status"),
        "comments_method": article.get("comments_method"),
        # articles published before multi-page articles were one page each
        "pages": list(article.get("pages") or [article.get("url")]),
        "comment_pages": list(article.get("comment_pages") or ()),
        "missing_pages": list(article.get("missing_pages") or ()),
        "fetched_at": to_utc(article.get("fetched_at")),
        "run_id": prov.get("run_id"),
        "warc_file": prov.get("warc_file"),
        "record_id": prov.get("record_id"),
        "warc_offset": prov.get("offset"),
        "warc_length": prov.get("length"),
        "warc_date": to_utc(prov.get("warc_date")),
        "payload_digest": prov.get("payload_digest"),
        "extractor_version": prov.get("extractor_version"),
    }


def _csv_table(table: pa.Table) -> pa.Table:
    """CSV has no lists: authors, tags and page lists joined by '; ', comments as JSON."""
    import pyarrow as pa

    columns = {}
    for name in table.column_names:
        col = table.column(name)
        if name in ("authors", "tags", "pages", "comment_pages", "missing_pages"):
            col = pa.array(["; ".join(v or ()) for v in col.to_pylist()], pa.string())
        elif name == "comments":
            col = pa.array(
                [json.dumps(v, ensure_ascii=False) for v in col.to_pylist()], pa.string()
            )
        columns[name] = col
    return pa.table(columns)


class Writer:
    """Batches to one output file, by format."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path, self.fmt = path, fmt
        self._sink: Any = None

    def write(self, rows: list[dict[str, Any]], articles: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        if self.fmt == "jsonl":
            if self._sink is None:
                self._sink = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
            for article in articles:
                self._sink.write(json.dumps(article, ensure_ascii=False) + "\n")
            return
        table = pa.Table.from_pylist(rows, schema=schema())
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if self._sink is None:
                self._sink = pq.ParquetWriter(self.path, schema(), compression="zstd")
            self._sink.write_table(table)
        else:
            import pyarrow.csv as pcsv

            table = _csv_table(table)
            if self._sink is None:
                self._sink = pcsv.CSVWriter(self.path, table.schema)
            self._sink.write_table(table)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
        elif self.fmt == "parquet":  # no article: still a valid, empty table
            import pyarrow.parquet as pq

            pq.write_table(schema().empty_table(), self.path)
        elif self.fmt == "csv":
            import pyarrow.csv as pcsv

            pcsv.write_csv(_csv_table(schema().empty_table()), self.path)
        else:
            self.path.write_text("", encoding="utf-8")


def export(
    archive: Archive,
    runs: Sequence[Run],
    out: Path,
    fmt: str,
    *,
    keep: Callable[[dict[str, Any]], bool] = lambda a: True,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the runs' articles to ``out`` (``out.part`` until complete); the count written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    part = out.with_name(out.name + ".part")
    writer = Writer(part, fmt)
    count = 0
    try:
        articles: list[dict[str, Any]] = []
        for article in iter_articles(archive, runs):
            if not keep(article):
                continue
            articles.append(article)
            if len(articles) >= batch:
                writer.write([row(a) for a in articles], articles)
                count += len(articles)
                articles = []
                if progress:
                    progress(count)
        if articles:
            writer.write([row(a) for a in articles], articles)
            count += len(articles)
        writer.close()
    except BaseException:
        writer.close() if writer._sink is not None else None
        part.unlink(missing_ok=True)
        raise
    os.replace(part, out)
    return count
