"""JSON Lines shards: one gzip member per line, rotation, shipping and crash recovery."""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from pipelines.cleaned_json import (
    JsonConfig,
    JsonLinesPipeline,
    JsonShardWriter,
    encode_line,
    validate_line,
)
from pipelines.gzfiles import OPEN_SUFFIX, gzip_member, iter_members


class FakeUploader:
    def __init__(self) -> None:
        self.submitted: list[tuple[Path, str, str, int, str]] = []

    def submit(self, local_path: Path, store: str, key: str, *, records: int, kind: str) -> None:
        assert local_path.is_file()
        self.submitted.append((local_path, store, key, records, kind))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def test_encode_line_is_compact_utf8_and_stringifies_the_rest() -> None:
    when = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
    line = encode_line({"title": "Café in Lyon", "at": when, "n": 1})
    assert line == '{"title":"Café in Lyon","at":"2026-11-25 10:00:00+00:00","n":1}\n'.encode()
    assert validate_line(line)
    assert not validate_line(line[:-1])
    assert not validate_line(b'{"a": 1}\n{"b": 2}\n')
    assert not validate_line(b"{not json}\n")


def test_rotation_by_records_and_shipping(tmp_path: Path) -> None:
    uploader = FakeUploader()
    config = JsonConfig(spool=tmp_path, prefix="nv", max_records=3, host="h")
    shards = JsonShardWriter(config, uploader=uploader)
    for i in range(7):
        shards.write({"i": i})
    shards.close()

    assert [s[3] for s in uploader.submitted] == [3, 3, 1]
    seen = []
    for path, store, key, _records, kind in uploader.submitted:
        assert store == "json" and kind == "jsonl"
        assert path == tmp_path / "ready" / "json" / key
        name = key.rsplit("/", 1)[1]
        assert name.startswith("nv-") and name.endswith("-h.jsonl.gz")
        assert key.count("/") == 3  # YYYY/MM/DD/NAME
        with path.open("rb") as fh:
            members = list(iter_members(fh))
        assert all(data.count(b"\n") == 1 for _, _, data in members)  # one member per line
        seen += [line["i"] for line in _lines(path)]
    assert seen == list(range(7))
    assert not list((tmp_path / "open").iterdir())


def test_rotation_by_size(tmp_path: Path) -> None:
    uploader = FakeUploader()
    config = JsonConfig(spool=tmp_path, max_file_bytes=2000, max_records=0)
    shards = JsonShardWriter(config, uploader=uploader)
    for i in range(20):
        shards.write({"i": i, "text": os.urandom(300).hex()})  # incompressible
    shards.close()
    assert len(uploader.submitted) > 1
    assert sum(s[3] for s in uploader.submitted) == 20
    for path, *_ in uploader.submitted[:-1]:
        assert path.stat().st_size >= 2000


def test_recovery_truncates_a_crashed_shard_and_ships_it(tmp_path: Path) -> None:
    name = "nv-20261125100000-00000-h.jsonl.gz"
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    good = [encode_line({"i": i}) for i in range(3)]
    (open_dir / (name + OPEN_SUFFIX)).write_bytes(
        b"".join(gzip_member(line) for line in good) + gzip_member(encode_line({"i": 3}))[:15]
    )
    uploader = FakeUploader()
    shards = JsonShardWriter(JsonConfig(spool=tmp_path), uploader=uploader)
    recovered = shards.recover()
    assert [c.records for c in recovered] == [3]
    path, store, key, records, _ = uploader.submitted[0]
    assert (store, key, records) == ("json", f"2026/11/25/{name}", 3)
    assert [line["i"] for line in _lines(path)] == [0, 1, 2]
    assert not list(open_dir.iterdir())


@dataclass
class Article:
    url: str
    title: str


def test_pipeline_writes_items_counts_stats_and_ships_at_close(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={
            "ARCHIVE_STORAGE_SPOOL": str(tmp_path),
            "ARCHIVE_JSON_MAX_RECORDS": 2,
            "ARCHIVE_WARC_PREFIX": "pipe",
        }
    )
    crawler.stats.open_spider()
    pipeline = JsonLinesPipeline.from_crawler(crawler)
    uploader = FakeUploader()
    pipeline.uploader = uploader
    pipeline.open_spider()
    items: list[Any] = [
        {"url": "https://example.org/a", "title": "A"},
        Article("https://example.org/b", "B"),
        {"url": "https://example.org/c", "title": "C"},
    ]
    assert [pipeline.process_item(item) for item in items] == items
    pipeline.close_spider()

    assert [s[3] for s in uploader.submitted] == [2, 1]
    lines = [line for s in uploader.submitted for line in _lines(s[0])]
    assert [line["title"] for line in lines] == ["A", "B", "C"]
    assert all(Path(s[0]).name.startswith("pipe-") for s in uploader.submitted)
    assert crawler.stats.get_value("newsvault/json/records") == 3
    assert crawler.stats.get_value("newsvault/json/files") == 2


def test_pipeline_switches_itself_off(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={"ARCHIVE_STORAGE_SPOOL": str(tmp_path), "ARCHIVE_JSON_ENABLED": False}
    )
    with pytest.raises(NotConfigured):
        JsonLinesPipeline.from_crawler(crawler)


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        ({"ARCHIVE_JSON_MAX_FILE_MB": 0}, "ARCHIVE_JSON_MAX_FILE_MB (json.max_file_mb)"),
        ({"ARCHIVE_JSON_MAX_RECORDS": -1}, "ARCHIVE_JSON_MAX_RECORDS (json.max_records)"),
    ],
)
def test_bad_settings_stop_the_crawl_naming_the_key(
    tmp_path: Path, settings: dict[str, Any], names: str
) -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_STORAGE_SPOOL": str(tmp_path), **settings})
    with pytest.raises(ValueError, match=re.escape(names)):
        JsonLinesPipeline.from_crawler(crawler)
