"""`make demo`: serve the bundled sample news site on 127.0.0.1 and archive it into ./archive/."""

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


def summarize(archive: Path) -> None:
    warcs = sorted(archive.glob("warc/**/*.warc.gz"))
    jsons = sorted(archive.glob("json/**/*.jsonl.gz"))
    manifests = sorted(archive.glob("manifests/**/*.json"))
    articles = 0
    comments = 0
    for path in jsons:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                articles += 1
                comments += len(json.loads(line).get("comments") or [])
    print()
    print(f"Archived {articles} articles with {comments} reader comments.")
    print(f"WARC files ({len(warcs)}):")
    for path in warcs:
        print(f"  {_show(path)}  ({path.stat().st_size:,} bytes)")
    print(f"JSON files ({len(jsons)}):")
    for path in jsons:
        print(f"  {_show(path)}")
    for path in manifests:
        print(f"Run manifest: {_show(path)}")
    if jsons:
        print(f"\nRead one article:  zcat {_show(jsons[0])} | head -n 1 | python3 -m json.tool")
    if warcs:
        print(f"Check a WARC:      .venv/bin/warcio check {_show(warcs[0])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", default=str(REPO / "archive"), help="where to archive")
    args = parser.parse_args()
    archive = Path(args.archive).resolve()
    spool = REPO / ".newsvault" / "demo-spool"
    config = REPO / ".newsvault" / "demo_config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    site = SampleSite()
    site.start()
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
