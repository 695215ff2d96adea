"""`newsvault report`: the page renders its charts in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crawler.cli import main
from tests.research_archive import CrawledArchive


def chromium() -> str:
    """Debian's chromium: installed with apt-get when running as root (as CI does), else skip."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(
            "needs Debian's chromium: run `apt-get install chromium` (as root) to test the report"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300)
        proc = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    found = shutil.which("chromium")
    if not found:
        pytest.skip(f"could not install chromium with apt-get: {proc.stderr.strip()[-300:]}")
    return found


def rendered_dom(browser: str, page: Path, tmp_path: Path) -> str:
    """The DOM after the page loaded (and any script ran), with networking cut off."""
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--proxy-server=127.0.0.1:9",  # any request for a resource would fail
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_report_renders_its_charts_in_headless_chromium(
    crawled_archive: CrawledArchive, tmp_path, capsys
):
    browser = chromium()
    out = tmp_path / "report.html"
    assert main(["report", crawled_archive.uri, "--out", str(out)]) == 0
    text = out.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing to fetch
    dom = rendered_dom(browser, out, tmp_path)
    charts = re.findall(r'<section class="chart">(.*?)</section>', dom, re.S)
    titles = [re.search(r"<h2>(.*?)</h2>", c).group(1) for c in charts]  # type: ignore[union-attr]
    assert titles == [
        "Articles per source per day (by fetch date)",
        "Share of articles with author, date and comments",
        "Articles by number of comments",
        "HTTP status of captures",
        "Archive size over time (cumulative, by run)",
        "Top errors (run stats)",
    ]
    for chart in charts:
        assert "<svg" in chart and re.search(r'<(rect class="bar"|circle class="point")', chart)
    assert "meridian: with author" in dom and "revisit" in dom
    # the first chart's bar heights add up to the 22 articles of the first run
    assert re.search(r"<title>meridian \d{4}-\d\d-\d\d: 22</title>", dom)
