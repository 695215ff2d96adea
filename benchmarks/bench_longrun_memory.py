"""Long-run memory: RSS of the crawl's process tree over a 50,000-page crawl of a generated site.

A generated news site (50,000 article pages behind 500 listing pages) is served from
127.0.0.1 by this process; `scrapy crawl news` crawls it with the full pipeline (WARC,
extraction pool, JSON shards, state index, manifest). Every 1,000 article pages served,
the summed RSS of the crawl process and all its children is sampled. The figure is the
growth from page 5,000 (caches and pools warm) to the last page. It never fails: it
prints the samples and the growth (and writes them as JSON with --json).

    python benchmarks/bench_longrun_memory.py [--pages 50000] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
PER_LIST = 100
_WORDS = (
    "government minister council election report city police market climate school court "
    "health budget energy water transport housing workers union vote parliament river storm "
    "science research university museum festival football season coach players league"
).split()


def article_page(i: int) -> bytes:
    """Article ``i`` of the site: deterministic, 5-15 KB, a few reader comments."""
    rnd = random.Random(i)
    title = " ".join(rnd.choice(_WORDS) for _ in range(7)).capitalize()
    paras = "".join(
        "<p>" + " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(40, 90))) + ".</p>"
        for _ in range(rnd.randint(6, 14))
    )
    comments = "".join(
        f'<li class="comment" id="comment-{i}-{c}"><div class="comment-author vcard">'
        f'<cite class="fn">Reader {c}</cite></div><div class="comment-content"><p>'
        + " ".join(rnd.choice(_WORDS) for _ in range(25))
        + "</p></div></li>"
        for c in range(rnd.randint(0, 4))
    )
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="2026-11-{1 + i % 28:02d}T08:30:00Z">'
        f"</head><body><article><h1>{title}</h1>"
        f'<div class="entry-content">{paras}</div></article>'
        f'<div id="comments"><ol class="commentlist">{comments}</ol></div>'
        "</body></html>"
    ).encode()


class Site:
    """Home -> /list/N (100 links each) -> /a/N. Counts article pages served."""

    def __init__(self, pages: int, on_article: Any) -> None:
        self.pages = pages
        self.lists = (pages + PER_LIST - 1) // PER_LIST
        self.served = 0
        self.lock = threading.Lock()
        self.on_article = on_article
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body, status = site.page(self.path)
                self.send_response(status)
                kind = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, path: str) -> tuple[bytes, int]:
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", 200
        if path == "/":
            links = "".join(f'<a href="/list/{n}">list {n}</a> ' for n in range(self.lists))
            return f"<html><body>{links}</body></html>".encode(), 200
        if path.startswith("/list/"):
            n = int(path.rsplit("/", 1)[1])
            first, last = n * PER_LIST, min((n + 1) * PER_LIST, self.pages)
            links = "".join(f'<a href="/a/{i}">story {i}</a> ' for i in range(first, last))
            return f"<html><body>{links}</body></html>".encode(), 200
        if path.startswith("/a/"):
            body = article_page(int(path.rsplit("/", 1)[1]))
            with self.lock:
                self.served += 1
                served = self.served
            self.on_article(served)
            return body, 200
        return b"not found", 404


def tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of the process and all its descendants, RSS of the process alone)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = main = 0
    for proc in procs:
        try:
            rss = proc.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        if proc.pid == pid:
            main = rss
    return total, main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--every", type=int, default=1_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="page the growth is from")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    samples: list[tuple[int, float]] = []
    main_samples: list[tuple[int, float]] = []
    crawl_pid: list[int] = []

    def on_article(served: int) -> None:
        if served % args.every == 0 and crawl_pid:
            total, main = (n / 2**20 for n in tree_rss(crawl_pid[0]))
            samples.append((served, round(total, 1)))
            main_samples.append((served, round(main, 1)))
            print(
                f"page {served:>6}: tree RSS {total:7.1f} MB (crawl process {main:7.1f} MB)",
                flush=True,
            )

    site = Site(args.pages, on_article)
    with tempfile.TemporaryDirectory(prefix="nv-longrun-") as tmp:
        work = Path(tmp)
        cfg = work / "longrun.yaml"
        cfg.write_text(
            f"""\
storage:
  warc: {work}/archive/warc
  json: {work}/archive/json
  state: {work}/archive/state
  manifests: {work}/archive/manifests
  spool: {work}/spool
crawl:
  download_delay: 0
  autothrottle: false
  concurrency: 16
  concurrency_per_domain: 16
  depth_limit: 2
  allow_private_networks: true
sources:
  - name: longrun
    start_urls: ["{site.url}/"]
    article_urls: ["/a/"]
"""
        )
        env = {**os.environ, "NEWSVAULT_CONFIG": str(cfg)}
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-s", "LOG_LEVEL=WARNING"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "crawl.log", "wb"),  # noqa: SIM115 - closed with the dir
        )
        crawl_pid.append(proc.pid)
        proc.wait()
        elapsed = time.monotonic() - started
        log_tail = (work / "crawl.log").read_text(errors="replace")[-2000:]
    site.server.shutdown()

    at = dict(samples)
    base = at.get(args.baseline)
    last_page, last = samples[-1] if samples else (0, None)
    growth = (last - base) / base * 100 if base and last else None
    result = {
        "pages": site.served,
        "seconds": round(elapsed, 1),
        "pages_per_s": round(site.served / elapsed, 1) if elapsed else None,
        "exit_code": proc.returncode,
        "baseline_page": args.baseline,
        "baseline_rss_mb": base,
        "last_page": last_page,
        "last_rss_mb": last,
        "growth_percent": round(growth, 1) if growth is not None else None,
        "samples": samples,
        "crawl_process_samples": main_samples,
    }
    if proc.returncode != 0:
        print(log_tail, file=sys.stderr)
    print(
        f"{site.served} pages in {elapsed:.0f} s; tree RSS {base} MB at page {args.baseline}, "
        f"{last} MB at page {last_page}: growth "
        + (f"{growth:+.1f}%" if growth is not None else "n/a")
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0  # a benchmark reports; it never fails CI


if __name__ == "__main__":
    sys.exit(main())
