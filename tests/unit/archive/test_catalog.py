"""The archive catalog: opening by URI, date filters, source selection, one-line errors."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.archive import ArchiveError, open_archive, parse_when


def write_manifest(
    root: Path, run_id: str, started: str, finished: str, sources: list[str]
) -> None:
    folder = root / "manifests"
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "manifest_version": 1,
        "run_id": run_id,
        "started": started,
        "finished": finished,
        "finish_reason": "finished",
        "stores": {"warc": str(root / "warc")},
        "sources": {name: {"articles": 2, "fetched": 5} for name in sources},
        "files": [
            {
                "store": "warc",
                "key": f"2026/11/0{run_id[-1]}/a.warc.gz",
                "size": 10,
                "sha256": "0" * 64,
                "records": 4,
                "kind": "warc",
                "status": "uploaded",
            },
        ],
    }
    (folder / f"{run_id}.json").write_text(json.dumps(doc))


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    write_manifest(
        tmp_path, "run-1", "2026-11-01T10:00:00+00:00", "2026-11-01T11:00:00+00:00", ["a"]
    )
    write_manifest(
        tmp_path, "run-2", "2026-11-03T10:00:00+00:00", "2026-11-03T11:00:00+00:00", ["a", "b"]
    )
    (tmp_path / "manifests" / "notes.json").write_text('{"hello": 1}')  # not a manifest: ignored
    return tmp_path


def test_parse_when_takes_days_and_iso_times():
    assert parse_when("2026-11-03") == datetime(2026, 11, 3, tzinfo=timezone.utc)
    assert parse_when("2026-11-03", end=True) == datetime(
        2026, 11, 3, 23, 59, 59, 999999, tzinfo=timezone.utc
    )
    assert parse_when("2026-11-03T10:00:00Z") == datetime(2026, 11, 3, 10, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_when("yesterday")


@pytest.mark.parametrize("form", ["path", "file"])
def test_open_reads_every_run_by_path_or_file_uri(archive_dir, form):
    uri = str(archive_dir) if form == "path" else archive_dir.as_uri()
    archive = open_archive(uri)
    assert [r.run_id for r in archive.runs] == ["run-1", "run-2"]
    assert archive.sources == ["a", "b"]
    assert archive.runs[1].count("articles") == 4 and archive.runs[1].count("fetched", "b") == 5
    assert [f.path for f in archive.files(archive.runs, ["warc"])] == [
        "warc/2026/11/01/a.warc.gz",
        "warc/2026/11/02/a.warc.gz",
    ]


def test_open_takes_the_manifests_store_itself(archive_dir):
    archive = open_archive(str(archive_dir / "manifests"))
    assert [r.run_id for r in archive.runs] == ["run-1", "run-2"]
    assert archive.store("warc").describe() == (archive_dir / "warc").as_uri()


def test_select_filters_by_source_and_dates(archive_dir):
    archive = open_archive(str(archive_dir))
    ids = lambda runs: [r.run_id for r in runs]  # noqa: E731
    assert ids(archive.select("b")) == ["run-2"]
    assert ids(archive.select(since=parse_when("2026-11-02"))) == ["run-2"]
    assert ids(archive.select(until=parse_when("2026-11-01", end=True))) == ["run-1"]
    assert ids(archive.select("a", until=parse_when("2026-10-31", end=True))) == []
    with pytest.raises(ArchiveError) as err:
        archive.select("c")
    assert str(err.value) == f"unknown source 'c' in {archive_dir}: its runs crawled a, b"


def test_not_an_archive_is_one_sentence(tmp_path):
    (tmp_path / "somefile.txt").write_text("x")
    with pytest.raises(
        ArchiveError, match=r"is not a newsvault archive: no run manifest in manifests/"
    ):
        open_archive(str(tmp_path))
    with pytest.raises(ArchiveError, match="is not a newsvault archive"):
        open_archive(str(tmp_path / "missing"))
    with pytest.raises(ArchiveError, match="unsupported scheme 'ftp'"):
        open_archive("ftp://host/archive")


def write_worker_manifest(
    root: Path, run_id: str, worker: str, started: str, finished: str, reason: str, outcome: str
) -> None:
    """One worker's manifest of a distributed run (``RUN_ID~WORKER.json``)."""
    folder = root / "manifests"
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "manifest_version": 1,
        "run_id": run_id,
        "worker_id": worker,
        "started": started,
        "finished": finished,
        "finish_reason": reason,
        "stores": {"warc": str(root / "warc")},
        "sources": {"a": {"articles": 3, "fetched": 7, "last_error": "x"}},
        "stats": {"newsvault/outcome": outcome, "log_count/ERROR": 2},
        "files": [
            {
                "store": "warc",
                "key": f"2026/11/05/{worker}.warc.gz",
                "size": 10,
                "sha256": "0" * 64,
                "records": 4,
                "kind": "warc",
                "status": "uploaded",
            },
        ],
    }
    (folder / f"{run_id}~{worker}.json").write_text(json.dumps(doc))


def test_a_distributed_run_is_one_run(archive_dir):
    write_worker_manifest(
        archive_dir,
        "run-3",
        "w1",
        "2026-11-05T10:00:00+00:00",
        "2026-11-05T11:00:00+00:00",
        "finished",
        "ok",
    )
    write_worker_manifest(
        archive_dir,
        "run-3",
        "w2",
        "2026-11-05T09:59:00+00:00",
        "2026-11-05T11:05:00+00:00",
        "shutdown",
        "failed",
    )
    archive = open_archive(str(archive_dir))
    assert [r.run_id for r in archive.runs] == ["run-1", "run-2", "run-3"]
    run = archive.runs[2]
    assert run.workers == ("w1", "w2")
    assert [m.key for m in run.manifests] == ["run-3~w1.json", "run-3~w2.json"]
    assert [f.path for f in run.files] == [
        "warc/2026/11/05/w1.warc.gz",
        "warc/2026/11/05/w2.warc.gz",
    ]
    assert [f.worker_id for f in run.files] == ["w1", "w2"]
    assert run.started == datetime(2026, 11, 5, 9, 59, tzinfo=timezone.utc)
    assert run.finished == datetime(2026, 11, 5, 11, 5, tzinfo=timezone.utc)
    assert (run.finish_reason, run.outcome) == ("shutdown", "failed")  # the worst worker's
    assert run.sources == {"a": {"articles": 6, "fetched": 14}}
    assert run.count("articles") == 6
    assert run.stat_totals()["log_count/ERROR"] == 4
    # Selecting the run by id gives every worker's files; a single-process run has no workers.
    (chosen,) = archive.select(run_ids=["run-3"])
    assert len(archive.files([chosen], ["warc"])) == 2
    assert archive.runs[0].workers == ()
    with pytest.raises(ArchiveError, match=r"no run run-9 in .*`newsvault ls"):
        archive.select(run_ids=["run-9"])


def test_a_worker_without_manifest_outcome_counts_as_the_worst(archive_dir):
    """A recovered manifest (a killed worker) has no outcome: the run is not ok."""
    write_worker_manifest(
        archive_dir,
        "run-3",
        "w1",
        "2026-11-05T10:00:00+00:00",
        "2026-11-05T11:00:00+00:00",
        "finished",
        "ok",
    )
    write_worker_manifest(archive_dir, "run-3", "w2", "", "", "killed", "")
    run = open_archive(str(archive_dir)).runs[2]
    assert (run.finish_reason, run.outcome) == ("killed", "")
    assert run.finished == datetime(2026, 11, 5, 11, 0, tzinfo=timezone.utc)
