"""Throughput and peak memory of the full newsvault pipeline against an inline-trafilatura spider.

Both crawl the same pages from a local gzip-serving HTTP server, one after the other, in
this one run; the ratio is what counts, not the absolute figures of this machine. The
same run also compares archive-only newsvault (``extraction.enabled: false``: WARC, CDXJ,
state, manifest) with a fetch-only Scrapy spider that keeps nothing, by responses per second.

    python benchmarks/bench_pipeline.py [--pages DIR] [--rounds N] [--json OUT]

DIR defaults to ../shared/corpus/news-pages-400.tar.gz unpacked to a temp folder when
that exists, else to 400 generated pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus_server import CorpusServerProcess, load_pages  # noqa: E402

DEFAULT_TARBALL = REPO.parent / "shared" / "corpus" / "news-pages-400.tar.gz"


@dataclass
class Result:
    name: str
    seconds: float
    pages: int
    pages_per_s: float
    peak_pss_mb: float
    peak_rss_mb: float


class TreeSampler(threading.Thread):
    """Samples the summed PSS and RSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_pss = 0
        self.peak_rss = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pss = rss = 0
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                except psutil.Error:
                    continue
                pss += getattr(info, "pss", info.rss)
                rss += info.rss
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_measured(
    name: str, cmd: list[str], env: dict[str, str], count: Callable[[], int]
) -> Result:
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output, _ = proc.communicate()
    elapsed = time.monotonic() - started
    sampler.stop()
    if proc.returncode != 0:
        sys.stderr.write(output.decode(errors="replace")[-4000:])
        raise SystemExit(f"{name} exited with {proc.returncode}")
    pages = count()
    return Result(
        name=name,
        seconds=round(elapsed, 2),
        pages=pages,
        pages_per_s=round(pages / elapsed, 2),
        peak_pss_mb=round(sampler.peak_pss / 2**20, 1),
        peak_rss_mb=round(sampler.peak_rss / 2**20, 1),
    )


def count_records(path: Path) -> int:
    if path.is_file():
        return sum(1 for _ in path.open(encoding="utf-8"))
    total = 0
    for shard in path.rglob("*.jsonl.gz"):
        with gzip.open(shard, "rt", encoding="utf-8") as fh:
            total += sum(1 for _ in fh)
    return total


def manifest_responses(manifests: Path) -> int:
    """Responses of the one run whose manifest is in ``manifests`` (Scrapy's count)."""
    [path] = manifests.glob("*.json")
    return int(json.loads(path.read_text())["stats"].get("downloader/response_count", 0))


def newsvault_config(
    start: str, work: Path, concurrency: int, workers: int, *, extraction: bool = True
) -> Path:
    cfg = work / ("bench.yaml" if extraction else "archive-only.yaml")
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
  concurrency: {concurrency}
  concurrency_per_domain: {concurrency}
  depth_limit: 1
  allow_private_networks: true
sources:
  - name: bench
    start_urls: ["{start}/"]
    article_urls: ["/pages/"]
extraction:
  enabled: {"true" if extraction else "false"}
  workers: {workers}
incremental:
  enabled: false
"""
    )
    return cfg


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--pages", type=Path, help="folder of .html pages")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=0, help="extraction workers (0: cores)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsvault-bench-") as tmp:
        tmpdir = Path(tmp)
        folder = args.pages
        if folder is None and DEFAULT_TARBALL.is_file():
            folder = tmpdir / "corpus"
            with tarfile.open(DEFAULT_TARBALL) as tar:
                tar.extractall(folder, filter="data")
        pages = load_pages(folder)
        server = CorpusServerProcess(pages)
        server.start()
        print(f"Serving {len(pages)} pages at {server.url} (gzip)", flush=True)
        bindir = Path(sys.executable).parent
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "BENCH_CONCURRENCY": str(args.concurrency)}
        results: list[Result] = []
        try:
            for round_no in range(args.rounds):
                work = tmpdir / f"nv-{round_no}"
                work.mkdir()
                cfg = newsvault_config(server.url, work, args.concurrency, args.workers)
                bare = tmpdir / f"archive-only-{round_no}"
                bare.mkdir()
                bare_cfg = newsvault_config(
                    server.url, bare, args.concurrency, args.workers, extraction=False
                )
                inline_out = tmpdir / f"inline-{round_no}.jsonl"
                fetch_out = tmpdir / f"fetch-{round_no}.txt"
                runs = [
                    (
                        "inline-trafilatura",
                        [sys.executable, str(HERE / "inline_spider.py")],
                        {**env, "BENCH_START": server.url + "/", "BENCH_OUT": str(inline_out)},
                        lambda out=inline_out: count_records(out),
                    ),
                    (
                        "newsvault",
                        [
                            str(bindir / "newsvault"),
                            "crawl",
                            "--config",
                            str(cfg),
                            "--log-level",
                            "WARNING",
                        ],
                        env,
                        lambda work=work: count_records(work / "archive" / "json"),
                    ),
                ]
                pair = [
                    (
                        "fetch-only",
                        [sys.executable, str(HERE / "fetch_spider.py")],
                        {**env, "BENCH_START": server.url + "/", "BENCH_OUT": str(fetch_out)},
                        lambda out=fetch_out: int(out.read_text()),
                    ),
                    (
                        "archive-only",
                        [
                            str(bindir / "newsvault"),
                            "crawl",
                            "--config",
                            str(bare_cfg),
                            "--log-level",
                            "WARNING",
                        ],
                        env,
                        lambda bare=bare: manifest_responses(bare / "archive" / "manifests"),
                    ),
                ]
                if round_no % 2:
                    runs.reverse()
                    pair.reverse()
                runs += pair
                for name, cmd, run_env, count in runs:
                    result = run_measured(name, cmd, run_env, count)
                    results.append(result)
                    print(json.dumps(asdict(result)), flush=True)
        finally:
            server.stop()

    def best(name: str) -> Result:
        return max((r for r in results if r.name == name), key=lambda r: r.pages_per_s)

    base, ours = best("inline-trafilatura"), best("newsvault")
    speed = ours.pages_per_s / base.pages_per_s
    mem_pss = ours.peak_pss_mb / base.peak_pss_mb
    mem_rss = ours.peak_rss_mb / base.peak_rss_mb
    print()
    print(f"{'':20} {'pages':>6} {'s':>7} {'pages/s':>8} {'peak PSS MB':>12} {'peak RSS MB':>12}")
    for r in (base, ours):
        print(
            f"{r.name:20} {r.pages:>6} {r.seconds:>7} {r.pages_per_s:>8} {r.peak_pss_mb:>12} {r.peak_rss_mb:>12}"
        )
    print(f"\nspeed ratio  : {speed:.2f}x  (target >= 1.8x)")
    print(f"memory ratio : {mem_pss:.2f}x PSS, {mem_rss:.2f}x RSS  (target <= 1.5x)")
    fetch, bare = best("fetch-only"), best("archive-only")
    archive_ratio = bare.pages_per_s / fetch.pages_per_s
    print(f"\n{'':20} {'responses':>9} {'s':>7} {'resp/s':>8} {'peak PSS MB':>12}")
    for r in (fetch, bare):
        print(f"{r.name:20} {r.pages:>9} {r.seconds:>7} {r.pages_per_s:>8} {r.peak_pss_mb:>12}")
    print(f"\narchive-only / fetch-only: {archive_ratio:.2f}x  (target >= 0.8x)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "runs": [asdict(r) for r in results],
                    "speed_ratio": speed,
                    "memory_ratio_pss": mem_pss,
                    "memory_ratio_rss": mem_rss,
                    "archive_only_ratio": archive_ratio,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
