"""What a scheduler sees: exit codes, one-line start-up errors, progress lines and the end summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_crawl import SOURCE, fetched, run_crawl
from tests.sample_site import SampleSite

ROOT = Path(__file__).resolve().parents[2]
NEWSVAULT = str(Path(sys.executable).parent / "newsvault")
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: connection refused


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as s:
        yield s


def _config(tmp_path: Path, sources: str, storage: str = "") -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(
        f"""
storage:
  warc: {tmp_path}/archive/warc
  json: {tmp_path}/archive/json
  spool: {tmp_path}/spool
{storage}
crawl:
  download_delay: 0
  autothrottle: false
  allow_private_networks: true
sources:
{sources}
"""
    )
    return config


def _newsvault(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSVAULT, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _manifest(tmp_path: Path) -> dict:
    [path] = (tmp_path / "archive" / "manifests").glob("*.json")
    return json.loads(path.read_text())


def test_every_start_url_unreachable_exits_1_with_errors_in_log_and_manifest(tmp_path):
    config = _config(tmp_path, f"  - name: gone\n    start_urls: ['{UNREACHABLE}']\n")
    proc = _newsvault("crawl", "--config", str(config), "-s", "RETRY_TIMES=0")
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert f"WARNING: Failed {UNREACHABLE}" in proc.stderr
    assert "ERROR: source 'gone': none of its start URLs" in proc.stderr
    doc = _manifest(tmp_path)
    assert doc["stats"]["newsvault/outcome"] == "failed"
    assert any("source 'gone'" in p for p in doc["stats"]["newsvault/problems"])
    assert "failed (exit 1)" in proc.stdout


def test_one_failing_source_of_two_exits_3_and_the_summary_says_which(site, tmp_path):
    config = _config(
        tmp_path,
        f"  - name: {SOURCE}\n    start_urls: ['{site.url}/']\n"
        f"  - name: gone\n    start_urls: ['{UNREACHABLE}']\n",
    )
    proc = _newsvault(
        "crawl",
        "--config",
        str(config),
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "ARCHIVE_PROGRESS_INTERVAL=0.2",
    )
    assert proc.returncode == 3, proc.stderr[-3000:]
    summary = proc.stdout
    assert "partial (exit 3)" in summary
    assert "duration  0:00:" in summary
    assert "responses " in summary and "4xx " in summary and "5xx " in summary
    rows = {line.split()[0]: line.split() for line in summary.splitlines() if line.startswith("  ")}
    assert rows["gone"][-1] == "FAILED" and rows[SOURCE][-1] == "ok"
    assert f"-> {tmp_path}/archive/warc" in summary
    assert f"manifest  {tmp_path}/archive/manifests/" in summary
    assert "problem: source 'gone'" in summary
    # not a terminal: plain progress lines in the log
    assert "INFO: Progress: pages " in proc.stderr and "uploads pending " in proc.stderr


def test_a_healthy_crawl_exits_0(site, tmp_path):
    result = run_crawl(tmp_path, site.url, name="ok")  # asserts exit 0
    assert result.items


@pytest.mark.parametrize(
    "args,exit_code,message",
    [
        (("-s", "CONCURRENT_REQUESTS=abc"), 2, "-s CONCURRENT_REQUESTS='abc': expected a number"),
        (("--source", "nope"), 2, "no source named 'nope' in sources (meridian)"),
        (("-s", "ARCHIVE_STORAGE_SPOOL=/proc/nv-spool"), 1, "storage.spool '/proc/nv-spool' is"),
    ],
)
def test_start_up_problems_are_one_line_and_leave_no_manifest(
    site, tmp_path, args, exit_code, message
):
    config = _config(tmp_path, f"  - name: {SOURCE}\n    start_urls: ['{site.url}/']\n")
    site.clear_requests()
    proc = _newsvault("crawl", "--config", str(config), *args)
    assert proc.returncode == exit_code, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsvault: "), proc.stderr[-3000:]
    assert message in lines[0]
    assert not (tmp_path / "archive").exists()
    assert fetched(site) == []


def test_an_unreachable_store_is_one_line(site, tmp_path):
    site.clear_requests()
    config = _config(
        tmp_path,
        f"  - name: {SOURCE}\n    start_urls: ['{site.url}/']\n",
        storage="  state: s3://nv-bucket/state\n  s3:\n    endpoint_url: http://127.0.0.1:9\n",
    )
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_MAX_ATTEMPTS": "1"}
    proc = _newsvault("crawl", "--config", str(config), env=env)
    assert proc.returncode == 1, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1:9" in lines[0], proc.stderr[-3000:]
    assert list((tmp_path / "archive").rglob("*.json")) == []  # no manifest
    assert fetched(site) == []


def test_the_shipped_config_stops_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NEWSVAULT_CONFIG"}
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2  # usage: the config is still the shipped example
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-3000:]
    assert "set your own sources and crawl.user_agent" in lines[0]


def test_on_a_terminal_a_live_status_line_is_redrawn(site, tmp_path):
    import pty

    config = _config(tmp_path, f"  - name: {SOURCE}\n    start_urls: ['{site.url}/']\n")
    config.write_text(
        config.read_text().replace(
            "download_delay: 0", "download_delay: 0.1\n  concurrency_per_domain: 1"
        )
    )
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [NEWSVAULT, "crawl", "--config", str(config), "--log-level", "WARNING"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
        env={**os.environ, "COLUMNS": "160"},  # the pty has no window size
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the pty
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(120)
    os.close(master)
    assert proc.returncode == 0
    lines = [part for part in seen.decode().split("\r") if part.startswith("pages ")]
    assert len(lines) >= 2, seen[-2000:]  # redrawn in place, not scrolled
    assert all(" pages/s | errors " in line and "uploads pending" in line for line in lines)
