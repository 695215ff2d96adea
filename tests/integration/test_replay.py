"""The sample site's articles, crawled into WARCs, replay through pywb with their original bytes."""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sample_site import SampleSite
from tests.warc_helpers import crawl_settings, records_of, run_crawl, warc_files

#: pywb imports fakeredis < 1.0, which imports ``redis.utils.dummy`` (gone after redis 3);
#: the crawler's distributed mode needs redis >= 4.2. Only the import needs the name:
#: replay works, as these tests show.
FAKEREDIS_SHIM = """\
import redis.utils

if not hasattr(redis.utils, "dummy"):
    class dummy:
        pass

    redis.utils.dummy = dummy
"""

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wire_body(site: SampleSite, target: str) -> bytes:
    """The body bytes the sample site puts on the wire for a client accepting gzip."""
    response = site.route(target)
    if response.encoding in ("always", "negotiated"):
        return gzip.compress(response.body, mtime=0)
    return response.body


@dataclass
class Wayback:
    url: str
    root: Path
    tmp: Path

    def get(self, original: str, *, gzip_ok: bool) -> tuple[int, dict[str, list[str]], bytes]:
        req = urllib.request.Request(f"{self.url}/coll/id_/{original}")
        req.add_header("Accept-Encoding", "gzip" if gzip_ok else "identity")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                headers: dict[str, list[str]] = {}
                for name, value in resp.headers.items():
                    headers.setdefault(name.lower(), []).append(value)
                return resp.status, headers, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {}, exc.read()


@pytest.fixture(scope="module")
def wayback(sample_site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wayback]:
    tmp = tmp_path_factory.mktemp("replay")
    base = sample_site.url
    urls = [base + "/"] + [base + a.path for a in sample_site.articles()]
    urls += [base + alt for a in sample_site.articles() for alt in a.alt_paths]
    run_crawl(tmp, base, urls, crawl_settings(tmp))

    # a pywb collection built from our WARCs and *our* CDXJ files (no pywb re-indexing)
    root = tmp / "pywb"
    root.mkdir()
    subprocess.run([str(BIN / "wb-manager"), "init", "coll"], cwd=root, check=True)
    coll = root / "collections" / "coll"
    lines: list[str] = []
    for path in warc_files(tmp / "store" / "warc"):
        shutil.copy(path, coll / "archive" / path.name)
        lines += Path(str(path) + ".cdxj").read_text().splitlines()
    (coll / "indexes" / "index.cdxj").write_text("".join(f"{line}\n" for line in sorted(lines)))

    port = _free_port()
    shim = tmp / "pywb-shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(FAKEREDIS_SHIM)
    proc = subprocess.Popen(
        [str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(shim)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("wayback did not start")
                time.sleep(0.2)
        yield Wayback(f"http://127.0.0.1:{port}", root, tmp)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_every_article_replays_with_the_original_bytes(
    sample_site: SampleSite, wayback: Wayback
) -> None:
    for article in sample_site.articles():
        url = sample_site.url + article.path
        status, _, body = wayback.get(url, gzip_ok=True)
        assert status == 200, url
        assert body == _wire_body(sample_site, article.path), url
        # and decoded for a client that does not take gzip: the article's HTML bytes
        status, _, body = wayback.get(url, gzip_ok=False)
        assert status == 200, url
        assert body == sample_site.route(article.path).body, url


def test_gzip_and_chunked_articles_keep_their_encoding(
    sample_site: SampleSite, wayback: Wayback
) -> None:
    by_key = {a.key: a for a in sample_site.articles()}
    _, headers, body = wayback.get(sample_site.url + by_key["honeybees"].path, gzip_ok=True)
    assert headers.get("content-encoding") == ["gzip"]
    assert gzip.decompress(body) == sample_site.route(by_key["honeybees"].path).body
    _, headers, body = wayback.get(sample_site.url + by_key["southern-ocean"].path, gzip_ok=True)
    assert "transfer-encoding" not in headers or headers["transfer-encoding"] == ["chunked"]
    assert body == sample_site.route(by_key["southern-ocean"].path).body


def test_revisit_under_another_url_replays_the_original_payload(
    sample_site: SampleSite, wayback: Wayback
) -> None:
    article = next(a for a in sample_site.articles() if a.alt_paths)
    alt = article.alt_paths[0]
    revisits = [
        r
        for path in warc_files(wayback.tmp / "store" / "warc")
        for r in records_of(path)
        if r.rec_type == "revisit"
    ]
    assert [r.rec_headers.get_header("WARC-Target-URI") for r in revisits] == [
        sample_site.url + alt
    ]
    status, _, body = wayback.get(sample_site.url + alt, gzip_ok=True)
    assert status == 200
    assert body == _wire_body(sample_site, alt) == _wire_body(sample_site, article.path)


def test_home_page_replays_both_cookies(sample_site: SampleSite, wayback: Wayback) -> None:
    status, headers, body = wayback.get(sample_site.url + "/", gzip_ok=True)
    assert status == 200
    assert body == _wire_body(sample_site, "/")
    assert headers["set-cookie"] == [
        "mp_session=5f2c9a71e0; Path=/; HttpOnly; SameSite=Lax",
        "mp_consent=pending; Path=/; Max-Age=31536000",
    ]
