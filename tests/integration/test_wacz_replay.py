"""`newsvault wacz` (validated by the `wacz` package) and `newsvault replay` (pywb) on a crawled archive."""

from __future__ import annotations

import gzip
import html
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from crawler.archive import open_archive
from crawler.cli import main
from tests.research_archive import CrawledArchive

BIN = Path(sys.executable).parent


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_wacz_is_valid_and_holds_every_warc_and_article(crawled_archive: CrawledArchive, tmp_path):
    out = tmp_path / "archive.wacz"
    assert main(["wacz", crawled_archive.uri, "--out", str(out)]) == 0
    proc = validate(out)
    assert proc.returncode == 0 and "the passed WACZ is valid" in proc.stdout, proc.stdout
    runs = open_archive(crawled_archive.uri).runs
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        warcs = sorted(f.key.rsplit("/", 1)[-1] for r in runs for f in r.files_of("warc"))
        assert sorted(n[len("archive/") :] for n in names if n.startswith("archive/")) == warcs
        package = json.loads(zf.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").splitlines()]
        assert pages[0]["format"] == "json-pages-1.0" and len(pages) == 1 + 22
        index = zf.read("indexes/index.cdxj").decode().splitlines()
        assert index == sorted(index) and len(index) == sum(
            f.records for r in runs for f in r.files_of("cdxj")
        )
    # the validator has teeth: a changed page list no longer matches its hash
    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "pages/pages.jsonl":
                data += b'{"url": "http://example.org/", "ts": "2026-01-01T00:00:00Z"}\n'
            dst.writestr(item, data)
    assert "invalid" in validate(bad).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("where", ["disk", "s3"])
def test_replay_serves_an_archived_article(where, request, monkeypatch):
    crawled: CrawledArchive = request.getfixturevalue(
        "crawled_archive" if where == "disk" else "crawled_archive_s3"
    )
    for key, value in crawled.env:
        monkeypatch.setenv(key, value)
    opened = open_archive(crawled.uri, dict(a.split("=", 1) for a in crawled.cli_args[1::2]))
    shard = next(f for r in opened.runs for f in r.files_of("jsonl"))
    article = json.loads(gzip.decompress(opened.get_bytes(shard)).splitlines()[0])
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(dict(crawled.env))
    proc = subprocess.Popen(
        [str(BIN / "newsvault"), "replay", crawled.uri, "--port", str(port), *crawled.cli_args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/newsvault/id_/{article['url']}"
        body = b""
        charset = "utf-8"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
                with urllib.request.urlopen(req, timeout=10) as resp:
                    assert resp.status == 200
                    body = resp.read()
                    charset = resp.headers.get_content_charset() or charset
                    if resp.headers.get("Content-Encoding") == "gzip":
                        body = gzip.decompress(body)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        # the first article may be the sample site's latin-1 page: compare text, not bytes
        assert article["title"] in html.unescape(body.decode(charset, "replace"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
