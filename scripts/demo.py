"""`make demo`: serve the bundled sample news site on 127.0.0.1 and archive it into ./demo-archive/.

The site is served on a fixed port (``--port``, ``make demo DEMO_PORT=N``), so its URLs are
the same every time and a second `make demo` shows an incremental run: the articles
archived the first time are skipped. Needs only newsvault's runtime dependencies.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.sample_site import SampleSite  # noqa: E402

#: Fixed, so the sample site's URLs (and the archive's knowledge of them) stay the same.
DEFAULT_PORT = 8737


def demo_config(site_url: str, archive: Path, spool: Path, extra_storage: str = "") -> str:
    """A config for crawling the sample site politely but without artificial delays."""
    return f"""\
storage:
  warc: {archive / "warc"}
  json: {archive / "json"}
  state: {archive / "state"}
  manifests: {archive / "manifests"}
  spool: {spool}
{extra_storage}
crawl:
  user_agent: "newsvault-demo/0.1 (+https://example.org/newsvault-demo)"
  download_delay: 0
  autothrottle: false
  allow_private_networks: true   # the sample site is on 127.0.0.1
sources:
  - name: sample-news
    start_urls: ["{site_url}/"]
warc:
  prefix: demo
  operator: "newsvault demo"
"""


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def this_run(archive: Path) -> dict[str, int]:
    """Counts of the newest run, from its manifest."""
    manifests = sorted(archive.glob("manifests/*.json"))
    if not manifests:
        return {}
    stats = json.loads(manifests[-1].read_text()).get("stats", {})
    prefix = "newsvault/source/sample-news/"
    return {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)}


def summarize(archive: Path) -> None:
    warcs = sorted(archive.glob("warc/**/*.warc.gz"))
    jsons = sorted(archive.glob("json/**/*.jsonl.gz"))
    manifests = sorted(archive.glob("manifests/**/*.json"))
    runs = len(manifests)
    articles = 0
    comments = 0
    for path in jsons:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                articles += 1
                comments += len(json.loads(line).get("comments") or [])
    run = this_run(archive)
    print()
    if runs > 1:
        print(
            f"This run archived {run.get('articles', 0)} new article(s) and skipped "
            f"{run.get('skipped_known', 0)} already archived by the {runs - 1} earlier run(s)."
        )
    else:
        print("First run: run `make demo` again to see an incremental run skip these articles.")
    print(f"The archive holds {articles} articles with {comments} reader comments.")
    print(f"WARC files ({len(warcs)}):")
    for path in warcs:
        print(f"  {_show(path)}  ({path.stat().st_size:,} bytes)")
    print(f"JSON files ({len(jsons)}):")
    for path in jsons:
        print(f"  {_show(path)}")
    for path in manifests:
        print(f"Run manifest: {_show(path)}")
    print("\nBrowse what it archived:")
    if jsons:
        print(f"  read one article:   zcat {_show(jsons[0])} | head -n 1 | python3 -m json.tool")
    if warcs:
        print(f"  list WARC records:  .venv/bin/warcio index {_show(warcs[0])}")
        print(f"  check a WARC:       .venv/bin/warcio check {_show(warcs[0])}")
        print("  replay the pages:   open https://replayweb.page and load the .warc.gz file")
    print(f"  verify every run:   .venv/bin/newsvault verify {_show(archive / 'manifests')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", default=str(REPO / "demo-archive"), help="where to archive")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("DEMO_PORT") or DEFAULT_PORT),
        help=f"port of the sample site on 127.0.0.1 (default {DEFAULT_PORT}, or $DEMO_PORT)",
    )
    args = parser.parse_args()
    archive = Path(args.archive).resolve()
    # beside the archive: another --archive gets its own spool and config
    spool = archive.parent / ".newsvault" / "demo-spool"
    config = archive.parent / ".newsvault" / "demo_config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    site = SampleSite(port=args.port)
    try:
        site.start()
    except OSError as exc:
        print(
            f"demo: cannot serve the sample site on 127.0.0.1:{args.port} ({exc.strerror}); "
            "pick another port: make demo DEMO_PORT=8738",
            file=sys.stderr,
        )
        return 1
    try:
        print(f"Serving the sample news site at {site.url}/")
        config.write_text(demo_config(site.url, archive, spool))
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        newsvault = Path(sys.executable).parent / "newsvault"
        proc = subprocess.run(
            [str(newsvault), "crawl", "--config", str(config), "--log-level", "WARNING"],
            cwd=REPO,
            env=env,
            check=False,
        )
    finally:
        site.stop()
    print("Sample site stopped.")
    summarize(archive)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
