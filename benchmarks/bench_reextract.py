"""Re-extraction throughput: `reextract` with N workers against N x single-process extract_article.

Crawls the corpus (the shared 400-page corpus when present, else 400 generated pages) once
into an archive, then measures in this one run:

* the single-process `extract_article` rate over the archive's article records (read into
  memory first, so only extraction is timed);
* FastWARC and warcio reading every WARC of the archive (records/s, best of 3);
* `reextract` (WARC reading, the process pool, JSON writing) with N workers.

The target is reextract >= 0.9 x N x the single-process rate.

    python benchmarks/bench_reextract.py [--pages DIR] [--workers N]
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_pipeline import DEFAULT_TARBALL, newsvault_config  # noqa: E402
from corpus_server import CorpusServer, load_pages  # noqa: E402


def crawl_corpus(tmp: Path, folder: Path | None) -> Path:
    pages = load_pages(folder)
    server = CorpusServer(pages)
    server.start()
    try:
        work = tmp / "crawl"
        work.mkdir()
        cfg = newsvault_config(server.url, work, 16, 0)
        cmd = [
            str(Path(sys.executable).parent / "newsvault"),
            "crawl",
            "--config",
            str(cfg),
            "--log-level",
            "WARNING",
        ]
        subprocess.run(cmd, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    finally:
        server.stop()
    print(f"crawled {len(pages)} pages into {work / 'archive'}")
    return work / "archive"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, help="folder of .html pages")
    parser.add_argument("--workers", type=int, default=0, help="reextract workers (0: cores)")
    args = parser.parse_args()

    from crawler.archive import open_archive
    from crawler.archive.reextract import reextract
    from crawler.archive.warcscan import scan
    from crawler.extract import extract_article, worker_init
    from pipelines.warc import read_record

    workers = args.workers or len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="nv-bench-reextract-") as tmp_name:
        tmp = Path(tmp_name)
        folder = args.pages
        if folder is None and DEFAULT_TARBALL.is_file():
            folder = tmp / "corpus"
            with tarfile.open(DEFAULT_TARBALL) as tar:
                tar.extractall(folder, filter="data")
        root = crawl_corpus(tmp, folder)
        warcs = sorted(root.glob("warc/**/*.warc.gz"))
        by_name = {p.name: p for p in warcs}

        # the article records, in memory: only extraction is timed below
        jobs = []
        for shard in root.glob("json/**/*.jsonl.gz"):
            with gzip.open(shard) as lines:
                for line in lines:
                    prov = json.loads(line)["provenance"]
                    path = by_name[prov["warc_file"]]
                    record = read_record(path, prov["offset"], prov["length"])
                    jobs.append((record.decoded_payload(), record.target_uri))
        worker_init()  # the same warm-up the pool's workers get
        start = time.perf_counter()
        for body, url in jobs:
            extract_article(body, url)
        single = len(jobs) / (time.perf_counter() - start)
        print(f"single-process extract_article: {len(jobs)} articles, {single:.1f} articles/s")

        for reader in ("fastwarc", "warcio"):
            best = float("inf")
            count = 0
            for _ in range(3):
                start = time.perf_counter()
                count = sum(1 for w in warcs for _r in scan(w, reader))
                best = min(best, time.perf_counter() - start)
            size = sum(w.stat().st_size for w in warcs) / 1e6
            print(
                f"{reader:8} reads {count} records ({size:.1f} MB gzip) in {best:.3f}s: {count / best:.0f} records/s"
            )

        archive = open_archive(str(root))
        start = time.perf_counter()
        outcome = reextract(
            archive, archive.runs, tmp / "out", workers=workers, workdir=tmp / "work"
        )
        elapsed = time.perf_counter() - start
        rate = outcome.articles / elapsed
        target = 0.9 * workers * single
        print(
            f"reextract --workers {workers}: {outcome.articles} articles in {elapsed:.1f}s, "
            f"{rate:.1f} articles/s = {rate / (workers * single):.2f} x workers x single "
            f"(target 0.90: {target:.1f} articles/s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
