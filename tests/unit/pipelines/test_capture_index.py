"""The capture index's rows: from CDXJ lines, with hosts, registered domains and sources."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow.parquet as pq

from pipelines.capture_index import (
    COLUMNS,
    capture_row,
    registered_domain,
    remove_stale_rows,
    rows_from_cdxj,
    schema,
    table_from_rows,
    write_index,
)

CDXJ = (
    'uk,co,example,news)/a 20261125101451 {"url": "https://news.example.co.uk/a", "mime": '
    '"text/html", "status": "200", "digest": "sha1:AAA", "length": "4752", "offset": "29444", '
    '"filename": "nv-20261125101444-00000-h.warc.gz"}\n'
    'uk,co,example,news)/a 20261126101451 {"url": "https://news.example.co.uk/a", "mime": '
    '"warc/revisit", "status": "200", "digest": "sha1:AAA", "length": "600", "offset": "100", '
    '"filename": "nv-20261126101444-00000-h.warc.gz"}\n'
)


def test_registered_domain_uses_the_public_suffix_list():
    assert registered_domain("news.example.co.uk") == "example.co.uk"
    assert registered_domain("www.bbc.com") == "bbc.com"
    assert registered_domain("127.0.0.1") is None


def test_rows_from_cdxj_mark_articles_and_revisits(tmp_path):
    rows = list(
        rows_from_cdxj(
            CDXJ,
            warc_key="2026/11/25/nv-20261125101444-00000-h.warc.gz",
            run_id="r1",
            articles={("nv-20261125101444-00000-h.warc.gz", 29444)},
            source_of={"news.example.co.uk": "example"},
        )
    )
    first, second = rows
    assert set(first) == set(COLUMNS)
    assert first["fetch_time"] == datetime(2026, 11, 25, 10, 14, 51, tzinfo=timezone.utc)
    assert (first["record_type"], first["is_article"], first["source"]) == (
        "response",
        True,
        "example",
    )
    assert (first["record_offset"], first["record_length"], first["status"]) == (29444, 4752, 200)
    assert first["registered_domain"] == "example.co.uk" and first["host"] == "news.example.co.uk"
    assert (second["record_type"], second["mime"], second["is_article"]) == (
        "revisit",
        "warc/revisit",
        False,
    )

    path = tmp_path / "i.parquet"
    assert write_index(rows, path) == 2
    table = pq.read_table(path)
    assert table.schema.equals(schema())
    assert (
        json.loads(json.dumps(table.column("url").to_pylist()))
        == ["https://news.example.co.uk/a"] * 2
    )


class _Uploader:
    """The two things the close hook uses: the spool directory and submit()."""

    def __init__(self, spool):
        self.spool = spool
        self.submitted = []

    def submit(self, path, store, key, *, records=0, kind=""):
        self.submitted.append((path, store, key, records, kind))
        return path


def test_the_crawl_spills_rows_to_the_spool_and_marks_articles_at_the_end(tmp_path):
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.http import HtmlResponse

    from pipelines.capture_index import CaptureIndexConfig, CaptureIndexExtension

    ext = CaptureIndexExtension(SimpleNamespace(stats=None), CaptureIndexConfig("run-1"))
    ext.BATCH_ROWS = 3  # type: ignore[misc]
    ext.open_dir = tmp_path / "open"
    for i in range(7):
        warc = {
            "warc_file": "nv-20261125101444-00000-h.warc.gz",
            "offset": 1000 * i,
            "length": 900,
            "warc_date": f"2026-11-25T10:14:5{i}.5Z",
            "payload_digest": f"sha1:{i}",
            "revisit": i == 6,
        }
        request = Request(f"https://news.example/a/{i}", meta={"nv_warc": warc, "nv_source": "s"})
        response = HtmlResponse(
            request.url,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=b"<html></html>",
        )
        ext.response_downloaded(response, request, None)  # type: ignore[arg-type]
        # every row is in the spool at once, none waits in memory
        assert len(ext.spill_path.read_text().splitlines()) == i + 1
    ext.mark_article("nv-20261125101444-00000-h.warc.gz", 2000)
    uploader = _Uploader(tmp_path)
    path = ext.write(uploader)  # type: ignore[arg-type]
    assert uploader.submitted == [(path, "warc", "index/run-1.parquet", 7, "index")]
    assert not list((tmp_path / "open").glob("*.captures.*"))  # the spill file is gone
    rows = pq.read_table(path).to_pylist()
    assert pq.ParquetFile(path).metadata.num_row_groups == 3  # built in batches of three
    assert [r["url"] for r in rows] == [f"https://news.example/a/{i}" for i in range(7)]
    assert [r["is_article"] for r in rows] == [i == 2 for i in range(7)]
    assert rows[6]["record_type"] == "revisit" and rows[0]["mime"] == "text/html"
    assert rows[0]["fetch_time"] == datetime(2026, 11, 25, 10, 14, 50, 500000, tzinfo=timezone.utc)


def test_table_from_rows_is_the_table_pyarrow_builds_from_the_list() -> None:
    import pyarrow as pa

    common = {"warc_filename": "nv.warc.gz", "length": 10, "run_id": "r"}
    rows = [
        capture_row(
            url="https://news.example.co.uk/\u00e4?q=1",
            fetch_time=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc),
            status=200,
            mime="text/html",
            payload_digest="sha1:AAA",
            offset=5,
            revisit=False,
            source="s \u2028 \U0001f4f0",
            is_article=True,
            **common,
        ),
        capture_row(
            url="http://10.0.0.1:8080/",
            fetch_time=None,
            status=None,
            mime=None,
            payload_digest=None,
            offset=2**40,
            revisit=True,
            source=None,
            is_article=False,
            **common,
        ),
    ]
    table = table_from_rows(rows, schema())
    assert table.equals(pa.Table.from_pylist(rows, schema=schema()))
    assert table.to_pylist() == rows


def test_a_killed_runs_rows_are_removed_and_the_running_ones_kept(tmp_path):
    dead = tmp_path / "20261128T010000Z-111111.captures.jsonl.open"
    marks = tmp_path / "20261128T010000Z-111111.articles.json.open"
    ours = tmp_path / "20261128T020000Z-222222.captures.jsonl.open"
    other = tmp_path / "nv-20261128010000-00000-h.warc.gz.open"  # recovered elsewhere
    for path in (dead, marks, ours, other):
        path.write_text("{}\n")
    removed = remove_stale_rows(tmp_path, "20261128T020000Z-222222")
    assert sorted(removed) == sorted([dead, marks])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ours.name, other.name])
