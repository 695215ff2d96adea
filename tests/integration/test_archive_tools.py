"""`newsvault ls/get/index/query/record` on the sample site crawled twice, on disk and in S3."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.archive import Archive, open_archive
from crawler.archive.records import find_record
from pipelines.capture_index import surt_key
from pipelines.storage import Store
from tests.research_archive import SOURCE, CrawledArchive, run_cli


@pytest.fixture(params=["disk", "s3"])
def archive(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> CrawledArchive:
    name = "crawled_archive" if request.param == "disk" else "crawled_archive_s3"
    crawled: CrawledArchive = request.getfixturevalue(name)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in crawled.env:
        monkeypatch.setenv(key, value)
    return crawled


def nv(
    crawled: CrawledArchive, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run `newsvault ARGS` in this process with the archive's store options."""
    return run_cli(crawled.cli_args, capsys, *args)


def settings_of(crawled: CrawledArchive) -> dict[str, str]:
    pairs = crawled.cli_args[1::2]
    return dict(p.split("=", 1) for p in pairs)


def manifests(crawled: CrawledArchive) -> list[dict[str, Any]]:
    return [
        m.doc for run in open_archive(crawled.uri, settings_of(crawled)).runs for m in run.manifests
    ]


# --------------------------------------------------------------------------- ls


def test_ls_lists_runs_files_and_totals_from_the_manifests(archive, capsys):
    code, out, err = nv(archive, capsys, "ls", archive.uri, "--json", "--files")
    assert code == 0, err
    doc = json.loads(out)
    docs = manifests(archive)
    assert [r["run_id"] for r in doc["runs"]] == sorted(d["run_id"] for d in docs)
    assert len(doc["runs"]) == 2
    first, second = doc["runs"]
    assert first["articles"] == 22 and second["articles"] == 0  # the second run skips known ones
    for run, manifest in zip(doc["runs"], sorted(docs, key=lambda d: d["run_id"]), strict=True):
        listed = {(f["store"] + "/" + f["key"], f["size"]) for f in manifest["files"]}
        assert {(f["path"], f["size"]) for f in run["file_list"]} == listed
        assert {"warc", "cdxj", "index"} <= set(run["kinds"])
    assert doc["totals"]["bytes"] == sum(f["size"] for d in docs for f in d["files"])
    assert doc["totals"]["kinds"]["warc"]["files"] == 2
    assert doc["totals"]["sources"][SOURCE]["articles"] == 22

    code, out, _ = nv(archive, capsys, "ls", archive.uri)
    assert code == 0 and out.count("\nrun ") == 2 and "total: 2 run(s)" in out


def test_ls_filters_by_date_and_source(archive, capsys):
    code, out, _ = nv(archive, capsys, "ls", archive.uri, "--json", "--source", SOURCE)
    assert code == 0 and len(json.loads(out)["runs"]) == 2
    code, _, err = nv(archive, capsys, "ls", archive.uri, "--until", "2001-01-01")
    assert code == 1 and "no run" in err
    code, _, err = nv(archive, capsys, "ls", archive.uri, "--source", "nosuch")
    assert code == 2
    assert err.strip().splitlines() == [
        f"newsvault: unknown source 'nosuch' in {archive.uri}: its runs crawled {SOURCE}"
    ]
    code, _, err = nv(archive, capsys, "ls", archive.uri, "--since", "last week")
    assert code == 2 and "YYYY-MM-DD" in err and len(err.strip().splitlines()) == 1


def test_a_uri_that_is_not_an_archive_is_one_line(archive, capsys, tmp_path):
    elsewhere = str(tmp_path) if archive.uri.startswith("/") else archive.uri + "-nothing-here"
    code, out, err = nv(archive, capsys, "ls", elsewhere)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "is not a newsvault archive" in err


def test_missing_s3_credentials_are_one_line(crawled_archive_s3, capsys, monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out, err = nv(crawled_archive_s3, capsys, "ls", crawled_archive_s3.uri)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "no AWS credentials found" in err and "AWS_ACCESS_KEY_ID" in err


# --------------------------------------------------------------------------- get


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_get_downloads_verifies_skips_and_resumes(archive, capsys, tmp_path):
    dest = tmp_path / "copy"
    code, out, err = nv(archive, capsys, "get", archive.uri, str(dest), "--workers", "3")
    assert code == 0, err
    listed = [
        f
        for d in manifests(archive)
        for f in d["files"]
        if f["kind"] in ("warc", "cdxj", "jsonl", "index")
    ]
    assert listed
    for f in listed:
        local = dest / f["store"] / f["key"]
        assert local.stat().st_size == f["size"] and sha256(local) == f["sha256"], local
    assert sorted(p.name for p in (dest / "manifests").iterdir()) == sorted(
        d["run_id"] + ".json" for d in manifests(archive)
    )
    assert not list(dest.rglob("*.part"))
    assert f"{len(listed)} downloaded" in out

    code, out, _ = nv(archive, capsys, "get", archive.uri, str(dest))
    assert code == 0 and f"{len(listed)} already valid; 0 bytes fetched" in out

    # an interrupted download: half a WARC in its .part, the final file not there yet
    warc = next(f for f in listed if f["kind"] == "warc")
    local = dest / "warc" / warc["key"]
    data = local.read_bytes()
    local.unlink()
    half = len(data) // 2
    local.with_name(local.name + ".part").write_bytes(data[:half])
    code, out, _ = nv(archive, capsys, "get", archive.uri, str(dest), "--kind", "warc")
    assert code == 0
    assert "1 resumed" in out and f"{len(data) - half} bytes fetched" in out
    assert local.read_bytes() == data

    # the copy is an archive: ls shows the same runs
    code, out, _ = nv(archive, capsys, "ls", str(dest), "--json")
    assert [r["run_id"] for r in json.loads(out)["runs"]] == sorted(
        d["run_id"] for d in manifests(archive)
    )


def test_get_of_a_damaged_file_fails_naming_it_and_leaves_nothing(
    crawled_archive, capsys, tmp_path
):
    source = tmp_path / "damaged"
    shutil.copytree(crawled_archive.uri, source)
    jsonl = next(source.glob("json/**/*.jsonl.gz"))
    raw = bytearray(jsonl.read_bytes())
    raw[-10] ^= 0xFF
    jsonl.write_bytes(bytes(raw))
    dest = tmp_path / "copy"
    code, _, err = nv(crawled_archive, capsys, "get", str(source), str(dest), "--kind", "json")
    assert code == 1
    key = jsonl.relative_to(source).as_posix()
    assert f"newsvault: {key}: got sha256" in err
    assert not list(dest.rglob("*.jsonl.gz*"))  # neither the file nor a .part
    assert not (dest / "manifests").exists()


# --------------------------------------------------------------------------- index and query


def query(archive: CrawledArchive, capsys, sql: str, *extra: str) -> list[dict[str, Any]]:
    code, out, err = nv(archive, capsys, "query", archive.uri, sql, "--format", "json", *extra)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_query_runs_sql_over_the_capture_index(archive, capsys):
    docs = manifests(archive)
    cdxj_lines = sum(f["records"] for d in docs for f in d["files"] if f["kind"] == "cdxj")
    rows = query(
        archive,
        capsys,
        "SELECT record_type, count(*) AS n, sum(is_article::int) AS articles "
        "FROM captures GROUP BY 1 ORDER BY 1",
    )
    counts = {r["record_type"]: r for r in rows}
    assert sum(r["n"] for r in rows) == cdxj_lines
    assert counts["revisit"]["n"] >= 1
    assert counts["response"]["articles"] == 22
    one = query(archive, capsys, "SELECT * FROM captures WHERE is_article LIMIT 1")[0]
    assert one["url"].startswith(archive.site_url) and one["host"] == "127.0.0.1"
    assert one["status"] == 200 and one["mime"] == "text/html" and one["source"] == SOURCE
    assert one["urlkey"] == surt_key(one["url"]) and one["payload_digest"].startswith("sha1:")
    code, _, err = nv(archive, capsys, "query", archive.uri, "SELECT nope FROM captures")
    assert code == 2 and err.startswith("newsvault: SQL: ") and len(err.strip().splitlines()) == 1


def test_index_builds_the_same_table_for_runs_crawled_without_one(
    crawled_archive, capsys, tmp_path
):
    copy = tmp_path / "old"
    shutil.copytree(crawled_archive.uri, copy)
    # CDXJ timestamps have whole seconds; the crawl notes the WARC-Date's microseconds
    columns = "url, date_trunc('second', fetch_time) AS fetched, status, mime, payload_digest, warc_key, record_offset, record_length, record_type, is_article"
    sql = f"SELECT {columns} FROM captures ORDER BY warc_key, record_offset"
    before = query(crawled_archive, capsys, sql)
    for manifest in (copy / "manifests").glob("*.json"):  # as an older crawl left them
        doc = json.loads(manifest.read_text())
        doc["files"] = [f for f in doc["files"] if f["kind"] != "index"]
        manifest.write_text(json.dumps(doc))
    shutil.rmtree(copy / "warc" / "index")
    old = CrawledArchive(str(copy), crawled_archive.site_url, tmp_path)
    assert query(old, capsys, sql) == before  # built on the fly from the CDXJ
    code, out, err = nv(old, capsys, "index", str(copy))
    assert code == 0, err and "2 run(s) indexed" in out
    assert len(list((copy / "warc" / "index").glob("*.parquet"))) == 2
    assert query(old, capsys, sql) == before
    code, out, _ = nv(old, capsys, "index", str(copy))
    assert "0 run(s) indexed, 2 already had an index" in out
    # the manifests now list the new indexes with their size and sha256
    code, out, _ = nv(
        old, capsys, "verify", str(copy / "manifests"), "--store", f"warc={copy / 'warc'}"
    )
    assert "checked 2 manifest(s)" in out + _
    assert "index/" not in out and "warc.gz" not in out


# --------------------------------------------------------------------------- record


class CountingStore:
    """Passes every call to the real store and counts what was read."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ranges: list[tuple[str, int, int]] = []
        self.whole: list[str] = []

    def read_range(self, key: str, start: int, length: int) -> bytes:
        data = self.store.read_range(key, start, length)
        self.ranges.append((key, start, len(data)))
        return data

    def get_bytes(self, key: str) -> bytes:
        self.whole.append(key)
        return self.store.get_bytes(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def revisited(archive: CrawledArchive, capsys) -> dict[str, Any]:
    return query(
        archive,
        capsys,
        "SELECT url, count(*) AS n, min(fetch_time) AS first FROM captures "
        "WHERE url IN (SELECT url FROM captures WHERE record_type = 'revisit') "
        "AND url IN (SELECT url FROM captures WHERE record_type = 'response') "
        "GROUP BY url ORDER BY url LIMIT 1",
    )[0]


def test_record_reads_only_the_records_bytes_and_resolves_revisits(archive, capsys, tmp_path):
    url = revisited(archive, capsys)["url"]
    opened = open_archive(archive.uri, settings_of(archive))
    counting = {name: CountingStore(opened.store(name)) for name in ("warc", "json", "manifests")}
    counted = Archive(opened.uri, opened.runs, dict(counting))  # type: ignore[arg-type]
    wire: list[tuple[int, str]] = []  # (bytes, Content-Range) of each GET the S3 server answered
    client = getattr(counting["warc"].store, "_client", None)
    if client is not None:
        client.meta.events.register(
            "after-call.s3.GetObject",
            lambda parsed, **_: wire.append(
                (int(parsed["ContentLength"]), parsed.get("ContentRange", ""))
            ),
        )
    found = find_record(counted, counted.runs, url, None, tmp_path / "idx")
    assert found.capture.record_type == "revisit" and found.original is not None
    warc = counting["warc"]
    assert warc.ranges == [
        (found.capture.warc_key, found.capture.offset, found.capture.length),
        (found.original.warc_key, found.original.offset, found.original.length),
    ]
    assert all(k.endswith((".parquet", ".cdxj")) for k in warc.whole)  # never a WARC
    warc_sizes = {f.key: f.size for run in opened.runs for f in run.files if f.kind == "warc"}
    assert sum(n for _k, _s, n in warc.ranges) < sum(warc_sizes.values()) / 10
    if client is not None:  # on the wire: two ranged GETs of exactly the records' bytes
        assert [n for n, rng in wire if rng] == [found.capture.length, found.original.length]
        index_sizes = [f.size for run in opened.runs for f in run.files if f.kind == "index"]
        assert sorted(n for n, rng in wire if not rng) == sorted(index_sizes)

    with urllib.request.urlopen(url) as live:  # the site serves the same page still
        body = live.read()
    code, out, err = nv(
        archive, capsys, "record", archive.uri, url, "--out", str(tmp_path / "page.html")
    )
    assert code == 0 and out == "", err
    assert (tmp_path / "page.html").read_bytes() == body
    assert "revisit of" in err and "payload from" in err


def test_record_prints_the_http_response_and_picks_the_capture_nearest_at(archive, capsys):
    row = revisited(archive, capsys)
    code, out, err = nv(archive, capsys, "record", archive.uri, row["url"], "--headers")
    assert code == 0, err
    head = out.split("\r\n")
    assert head[0] == "HTTP/1.1 200 OK"
    assert any(line.lower().startswith("content-type: text/html") for line in head)
    assert out.endswith("\r\n\r\n")
    first = row["first"][:19].replace("-", "").replace(":", "").replace(" ", "").replace("T", "")
    code, out, err = nv(archive, capsys, "record", archive.uri, row["url"], "--at", first)
    assert code == 0 and err.startswith("response of ")
    assert b"<html" in out.encode().lower()
    code, out, err = nv(archive, capsys, "record", archive.uri, archive.site_url + "/nowhere")
    assert code == 1 and out == ""
    assert (
        err.strip()
        == f"newsvault: {archive.site_url}/nowhere is not in {archive.uri}: no capture of it in the selected runs"
    )


# --------------------------------------------------------------------------- export


def published_articles(archive: CrawledArchive) -> list[dict[str, Any]]:
    import gzip

    opened = open_archive(archive.uri, settings_of(archive))
    out = []
    for run in opened.runs:
        for f in run.files_of("jsonl"):
            out += [json.loads(x) for x in gzip.decompress(opened.get_bytes(f)).splitlines()]
    return out


def test_export_parquet_has_typed_columns_readable_everywhere(archive, capsys, tmp_path):
    import duckdb
    import pandas
    import polars
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "articles.parquet"
    code, _, err = nv(
        archive,
        capsys,
        "export",
        archive.uri,
        "--format",
        "parquet",
        "--out",
        str(out),
        "--batch",
        "7",
    )
    assert code == 0 and "22 article(s)" in err, err
    table = pq.read_table(out)
    assert table.num_rows == 22
    assert table.schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert pa.types.is_struct(table.schema.field("comments").type.value_type)
    articles = {a["url"]: a for a in published_articles(archive)}
    for r in table.to_pylist():
        a = articles[r["url"]]
        assert r["published_text"] == a["published"] and r["authors"] == a["authors"]
        assert [c["id"] for c in r["comments"]] == [c["id"] for c in a["comments"]]
        assert [c["byline"] for c in r["comments"]] == [c["byline"] for c in a["comments"]]
        assert r["warc_offset"] == a["provenance"]["offset"]
        if a["published"] and "T" in a["published"]:
            assert r["published"] == datetime.fromisoformat(a["published"])  # same instant
    assert pandas.read_parquet(out).shape[0] == 22
    assert polars.read_parquet(out).height == 22
    assert duckdb.sql(f"SELECT sum(comment_count) FROM '{out}'").fetchall()[0][0] == sum(
        len(a["comments"]) for a in articles.values()
    )
    bylines = duckdb.sql(
        f"SELECT count(*) FROM (SELECT unnest(comments) AS c FROM '{out}') WHERE c.byline LIKE '%says:%'"
    ).fetchall()[0][0]
    assert bylines == sum(
        "says:" in (c["byline"] or "") for a in articles.values() for c in a["comments"]
    )
    assert bylines > 0


def test_export_csv_and_jsonl_and_filters(crawled_archive, capsys, tmp_path):
    import pandas

    csv_out = tmp_path / "a.csv"
    code, _, err = nv(
        crawled_archive,
        capsys,
        "export",
        crawled_archive.uri,
        "--format",
        "csv",
        "--out",
        str(csv_out),
    )
    assert code == 0, err
    frame = pandas.read_csv(csv_out)
    assert len(frame) == 22 and {"published", "published_text", "comments"} <= set(frame.columns)
    jsonl_out = tmp_path / "a.jsonl"
    code, _, _ = nv(
        crawled_archive,
        capsys,
        "export",
        crawled_archive.uri,
        "--format",
        "jsonl",
        "--out",
        str(jsonl_out),
    )
    assert sorted(json.loads(x)["url"] for x in jsonl_out.read_text().splitlines()) == sorted(
        a["url"] for a in published_articles(crawled_archive)
    )
    code, _, err = nv(
        crawled_archive,
        capsys,
        "export",
        crawled_archive.uri,
        "--format",
        "csv",
        "--out",
        str(tmp_path / "b.csv"),
        "--since",
        "2999-01-01",
    )
    assert code == 1 and not (tmp_path / "b.csv").exists()
    code, _, err = nv(
        crawled_archive,
        capsys,
        "export",
        crawled_archive.uri,
        "--format",
        "csv",
        "--out",
        str(tmp_path / "no" / "c.csv"),
    )
    assert code == 2 and "does not exist" in err and not list(tmp_path.glob("no*"))


# --------------------------------------------------------------------------- reextract


def test_reextract_rebuilds_the_published_json_from_the_warcs(archive, capsys, tmp_path):
    dest = tmp_path / "again"
    code, out, err = nv(
        archive, capsys, "reextract", archive.uri, "--out", str(dest), "--workers", "2"
    )
    assert code == 0, err
    assert "22 article(s) re-extracted" in out
    original = {a["provenance"]["record_id"]: a for a in published_articles(archive)}
    again = CrawledArchive(str(dest), archive.site_url, tmp_path)
    rebuilt = published_articles(again)
    assert sorted(a["provenance"]["record_id"] for a in rebuilt) == sorted(original)
    (manifest,) = [m.doc for run in open_archive(str(dest)).runs for m in run.manifests]
    for article in rebuilt:
        before = original[article["provenance"]["record_id"]]
        prov, old = article.pop("provenance"), before.pop("provenance")
        assert article == before  # the same extractor gives the same article
        assert prov["run_id"] == manifest["run_id"] != old["run_id"]
        for name in ("warc_file", "offset", "length", "warc_date", "payload_digest"):
            assert prov[name] == old[name]  # still pointing into the original WARCs
    assert manifest["reextract_of"]["runs"] == [r["run_id"] for r in manifests(archive)]
    assert manifest["sources"] == {SOURCE: {"articles": 22}}


def test_both_warc_readers_read_the_same_records(crawled_archive):
    from crawler.archive.warcscan import scan

    for warc in Path(crawled_archive.uri).glob("warc/**/*.warc.gz"):
        fast, slow = list(scan(warc, "fastwarc")), list(scan(warc, "warcio"))
        assert fast == slow and len(fast) > 10
