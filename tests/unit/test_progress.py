"""The progress line and the end summary, from stats."""

from __future__ import annotations

from crawler.outcome import assess
from crawler.progress import Snapshot, progress_line, take_snapshot
from crawler.summary import format_summary, status_mix


def test_progress_line_shows_every_counter_and_the_rate() -> None:
    stats = {
        "downloader/response_count": 120,
        "newsvault/source/a/articles": 30,
        "newsvault/source/b/articles": 10,
        "newsvault/source/a/errors": 2,
        "newsvault/source/b/http_errors": 1,
        "newsvault/warc/bytes_written": 2_100_000,
    }
    now = take_snapshot(stats, queue=12, uploads_pending=1)
    before = Snapshot(now.at - 10, 35, 0, 0, 0, 0, 0)
    assert progress_line(now, before) == (
        "pages 120 | articles 40 | queue 12 | 8.5 pages/s | errors 3 | archived 2.1 MB | "
        "uploads pending 1"
    )


def test_summary_has_duration_status_mix_sources_and_files() -> None:
    stats = {
        "finish_reason": "finished",
        "elapsed_time_seconds": 3725.2,
        "downloader/response_count": 1123,
        "downloader/response_status_count/200": 120,
        "downloader/response_status_count/301": 23,
        "downloader/response_status_count/404": 980,
        "newsvault/json/records": 45,
        "newsvault/source/site/entry_ok": 1,
        "newsvault/source/site/fetched": 1123,
        "newsvault/source/site/http_errors": 980,
        "newsvault/source/site/articles": 45,
        "newsvault/warc/files": 2,
    }
    assert status_mix(stats) == {"2xx": 120, "3xx": 23, "4xx": 980, "5xx": 0}
    settings = {
        "ARCHIVE_RUN_ID": "R1",
        "ARCHIVE_STORAGE_WARC": "s3://b/warc",
        "ARCHIVE_STORAGE_MANIFESTS": "s3://b/manifests",
    }
    text = format_summary(stats, settings, assess(stats))
    lines = text.splitlines()
    assert lines[0] == "newsvault run R1: partial (exit 3)"
    assert "duration  1:02:05" in lines[1]
    assert "responses 1123  (2xx 120, 3xx 23, 4xx 980, 5xx 0)" in text
    assert any(line.split() == ["site", "1123", "45", "0", "980", "ok"] for line in lines)
    assert "-> s3://b/warc" in text and "manifest  s3://b/manifests/R1.json" in text
    assert "problem: 980 of 1123 fetches failed" in text
