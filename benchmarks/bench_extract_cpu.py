"""Extraction CPU per page: this checkout's `extract_article` against a baseline commit's.

Both extractors run over the same pages in this one run, each in a long-lived process of
this venv, page by page in turn (page 1 on the baseline then the current, page 2 the other
way round, ...), so that a slower minute of the machine hits both alike. Each page is timed
with `time.process_time()` in its process (the process's CPU, so neither waiting nor other
processes count), after a warm-up over the first pages. The figure per extractor is the
sum over the pages of each page's fastest round (the per-round totals are printed too); the
target of issue 14 is current <= 1.10 x baseline.

The baseline's `crawler/` package is taken from git (`git archive REV crawler`) into a
temporary folder; the default baseline, b07d92f, is the extractor before the second round
of extraction work.

    python benchmarks/bench_extract_cpu.py [--pages DIR] [--baseline REV] [--rounds N]

Pages: the HTML files of DIR, else the shared 400-page corpus (../shared/corpus), else
400 generated pages.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, NoReturn

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus_server import load_pages  # noqa: E402

DEFAULT_BASELINE = "b07d92f"
DEFAULT_TARBALL = REPO.parent / "shared" / "corpus" / "news-pages-400.tar.gz"
TARGET = 1.10

# Runs in a child process: argv = code folder, pages folder. Reads a page name per line
# on stdin, answers one JSON line per page on stdout.
RUNNER = r"""
import gc, json, sys, time
from pathlib import Path
code, folder = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(code))
import crawler
from crawler.extract import extract_article
where = Path(crawler.__file__).resolve()
if code.resolve() not in where.parents:
    sys.exit(f"imported crawler from {where}, not from {code}")
bodies = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
for name in sorted(bodies)[:WARMUP]:  # imports, compiled patterns, first-use caches
    extract_article(bodies[name], f"https://bench.invalid/pages/{name}")
gc.collect()
print("ready", flush=True)
for line in sys.stdin:
    name = line.strip()
    start = time.process_time()
    article = extract_article(bodies[name], f"https://bench.invalid/pages/{name}")
    cpu = time.process_time() - start
    text = article.get("text") or ""
    print(json.dumps({"cpu": cpu, "text": bool(text), "words": len(text.split()),
                      "comments": len(article.get("comments") or [])}), flush=True)
""".replace("WARMUP", "20")


def write_pages(pages_dir: Path, folder: Path | None) -> int:
    """The benchmark's pages as files in `pages_dir`; returns how many."""
    pages_dir.mkdir()
    if folder is None and DEFAULT_TARBALL.is_file():
        with tarfile.open(DEFAULT_TARBALL) as tar:
            tar.extractall(pages_dir, filter="data")
        found = [p for p in pages_dir.rglob("*.htm*") if p.is_file()]
        for path in found:  # flat, whatever the tarball's folders
            if path.parent != pages_dir:
                path.rename(pages_dir / path.name)
        return len(found)
    for name, body in load_pages(folder).items():
        (pages_dir / Path(name).name).write_bytes(body)
    return len(list(pages_dir.iterdir()))


def baseline_code(rev: str, dest: Path) -> str:
    """Unpack the baseline's `crawler/` package into `dest`; returns the full commit id."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except subprocess.CalledProcessError:
        sys.exit(f"bench_extract_cpu: --baseline {rev}: not a commit of {REPO}; give a commit id")
    dest.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "crawler"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return commit


class Runner:
    """One extractor in a child process that times the pages it is sent, one at a time."""

    def __init__(self, code: Path, pages_dir: Path) -> None:
        self.code = code
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(code), str(pages_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self._line() != "ready":
            self._failed()

    def _line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def _failed(self) -> NoReturn:
        self.proc.kill()
        sys.exit(f"bench_extract_cpu: the extractor in {self.code} failed (its error is above)")

    def time(self, name: str) -> dict[str, float]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        line = self._line()
        if not line:
            self._failed()
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, help="folder of HTML pages")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git commit to compare to")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    if args.pages is not None and not args.pages.is_dir():
        parser.error(f"--pages {args.pages}: not a folder; give a folder of HTML pages")

    with tempfile.TemporaryDirectory(prefix="nv-bench-cpu-") as tmp:
        pages_dir = Path(tmp) / "pages"
        count = write_pages(pages_dir, args.pages)
        base_dir = Path(tmp) / "baseline"
        commit = baseline_code(args.baseline, base_dir)
        print(f"{count} pages; baseline {commit[:10]}; {args.rounds} round(s) each", flush=True)
        names = sorted(p.name for p in pages_dir.iterdir())
        runners = {"baseline": Runner(base_dir, pages_dir), "current": Runner(REPO, pages_dir)}
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "current": []}
        try:
            for round_no in range(1, args.rounds + 1):
                got: dict[str, list[dict[str, float]]] = {"baseline": [], "current": []}
                for index, name in enumerate(names):
                    # page by page in turn, the order swapped every page
                    order = (
                        ("baseline", "current")
                        if (index + round_no) % 2
                        else ("current", "baseline")
                    )
                    for who in order:
                        got[who].append(runners[who].time(name))
                for who, pages in got.items():
                    result: dict[str, Any] = {
                        "cpu_s": sum(p["cpu"] for p in pages),
                        "with_text": sum(1 for p in pages if p["text"]),
                        "words": sum(int(p["words"]) for p in pages),
                        "comments": sum(int(p["comments"]) for p in pages),
                        "per_page": [p["cpu"] for p in pages],
                    }
                    runs[who].append(result)
                    print(
                        f"  round {round_no} {who:<8} {1000 * result['cpu_s'] / count:7.2f} ms CPU/page"
                        f"  ({result['with_text']} with text, {result['words']} words,"
                        f" {result['comments']} comments)",
                        flush=True,
                    )
        finally:
            for runner in runners.values():
                runner.close()
    best = {name: min(r["cpu_s"] for r in rs) / count for name, rs in runs.items()}
    # each page's fastest round, summed: a moment of CPU steal or a frequency dip hits one
    # page of one round, not the figure
    floor = {
        name: sum(min(times) for times in zip(*(r["per_page"] for r in rs), strict=True)) / count
        for name, rs in runs.items()
    }
    ratio = floor["current"] / floor["baseline"]
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(
        f"CPU per page, best round of {args.rounds}: baseline {1000 * best['baseline']:.2f} ms,"
        f" current {1000 * best['current']:.2f} ms ({best['current'] / best['baseline']:.3f}x)"
    )
    print(
        f"CPU per page, each page's best of {args.rounds}: baseline"
        f" {1000 * floor['baseline']:.2f} ms, current {1000 * floor['current']:.2f} ms"
        f" -> {ratio:.3f}x (target <= {TARGET:.2f}x: {verdict})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "pages": count,
                    "baseline": commit,
                    "runs": runs,
                    "best_cpu_per_page_s": best,
                    "ratio": ratio,
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
