"""Export memory: `newsvault export` of a synthetic archive, peak RSS at 20k and 200k articles.

Writes a synthetic archive (JSON shards of the published article schema and a manifest) to a
temporary directory, exports it to each format in a child process, and reports the child's
peak RSS (from wait4) and articles per second. Memory is flat when the 200k figure is close to
the 20k one, the baseline measured in the same run.

    python benchmarks/bench_export.py [--articles 200000] [--formats parquet csv jsonl]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "harbour council minister river storm budget election museum rail port strike "
    "research climate energy school hospital court market festival bridge"
).split()


def article(i: int, rng: random.Random) -> dict[str, object]:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(200, 900)))
    comments = [
        {
            "id": str(c),
            "parent_id": str(c - 1) if c and rng.random() < 0.4 else None,
            "author": f"Reader {c}",
            "published": "2026-11-22T11:20:00+01:00",
            "text": " ".join(rng.choice(WORDS) for _ in range(30)),
            "permalink": f"https://news.example/a/{i}#comment-{c}",
        }
        for c in range(rng.choice((0, 0, 1, 3, 8)))
    ]
    return {
        "url": f"https://news.example/a/{i}",
        "canonical_url": f"https://news.example/a/{i}",
        "title": f"Article {i}",
        "authors": ["A. Writer", "B. Editor"][: rng.randint(0, 2)],
        "published": f"2026-11-{1 + i % 28:02d}T10:00:00+01:00",
        "modified": None,
        "date_source": "json-ld",
        "language": "en",
        "description": "A synthetic article.",
        "section": "World",
        "tags": ["synthetic"],
        "image": None,
        "site_name": "Synthetic Post",
        "text": text,
        "word_count": text.count(" ") + 1,
        "comments": comments,
        "comments_status": "open" if comments else "none",
        "comments_method": "wordpress" if comments else None,
        "source": f"source{i % 5}",
        "fetched_at": "2026-11-25T10:14:51Z",
        "provenance": {
            "run_id": "20261125T101444Z-bench0",
            "warc_file": "bench-20261125101444-00000-host.warc.gz",
            "record_id": f"<urn:uuid:{i:032x}>",
            "offset": i * 5000,
            "length": 4800,
            "warc_date": "2026-11-25T10:14:51.366690Z",
            "payload_digest": "sha1:AAAA",
            "fetched_at": "2026-11-25T10:14:51Z",
            "extractor": "newsvault",
            "extractor_version": "bench",
            "settings_hash": "0",
        },
    }


def make_archive(root: Path, count: int, per_shard: int = 50000) -> None:
    rng = random.Random(11)
    files = []
    for shard in range(0, count, per_shard):
        key = f"2026/11/25/bench-20261125101444-{shard // per_shard:05d}-host.jsonl.gz"
        path = root / "json" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        n = min(per_shard, count - shard)
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            for i in range(shard, shard + n):
                out.write(json.dumps(article(i, rng)) + "\n")
        data = path.read_bytes()
        files.append(
            {
                "store": "json",
                "key": key,
                "uri": path.as_uri(),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "records": n,
                "kind": "jsonl",
                "status": "uploaded",
            }
        )
    (root / "manifests").mkdir(parents=True, exist_ok=True)
    doc = {
        "manifest_version": 1,
        "run_id": "20261125T101444Z-bench0",
        "started": "2026-11-25T10:14:44+00:00",
        "finished": "2026-11-25T12:00:00+00:00",
        "finish_reason": "finished",
        "stores": {"json": str(root / "json")},
        "sources": {f"source{s}": {"articles": count // 5} for s in range(5)},
        "files": files,
    }
    (root / "manifests" / "20261125T101444Z-bench0.json").write_text(json.dumps(doc))


def export(root: Path, fmt: str, out: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one `newsvault export` child process."""
    cmd = [
        str(Path(sys.executable).parent / "newsvault"),
        "export",
        str(root),
        "--format",
        fmt,
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=20_000)
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv", "jsonl"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nv-bench-export-") as tmp:
        print(
            f"{'articles':>9} {'format':8} {'seconds':>8} {'art/s':>8} {'peak RSS':>9} {'out MB':>7}"
        )
        for count in (args.baseline, args.articles):
            root = Path(tmp) / f"a{count}"
            t0 = time.perf_counter()
            make_archive(root, count)
            size = sum(p.stat().st_size for p in (root / "json").rglob("*.gz")) / 1e6
            print(
                f"# {count} articles: {size:.0f} MB of gzip JSON, made in {time.perf_counter() - t0:.0f}s"
            )
            for fmt in args.formats:
                out = Path(tmp) / f"out.{fmt}"
                seconds, rss = export(root, fmt, out)
                print(
                    f"{count:9d} {fmt:8} {seconds:8.1f} {count / seconds:8.0f} {rss:7.0f} MB {out.stat().st_size / 1e6:7.0f}"
                )
                out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
