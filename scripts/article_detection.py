"""Count the pages of a folder that a default crawl would publish as articles.

Each page is seen as the bench's corpus server serves it (``/pages/NAME``: no date in the
URL, nothing asserted by a feed or sitemap): the spider's article test (structured data,
then ``looks_like_article``), then extraction, which drops a page without text.

    python scripts/article_detection.py DIR [--json OUT] [--list-rejected]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.discovery.articles import classify_page  # noqa: E402
from crawler.discovery.links import parse_html  # noqa: E402
from crawler.extract import extract_article, looks_like_article  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of .html pages")
    parser.add_argument("--json", type=Path, help="write per-page verdicts here")
    parser.add_argument("--list-rejected", action="store_true", help="print rejected pages")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    pages = sorted(args.folder.rglob("*.htm*"))
    if not pages:
        parser.error(f"{args.folder}: no .html pages")
    verdicts: dict[str, dict[str, object]] = {}
    for page in pages:
        body = page.read_bytes()
        url = f"http://127.0.0.1/pages/{page.name}"
        doc = parse_html(body)
        detected = doc is not None and (
            classify_page(doc, url).is_article or looks_like_article(doc, url)
        )
        words = len(extract_article(body, url)["text"].split()) if detected else 0
        verdicts[page.name] = {"detected": detected, "words": words}
    detected_n = sum(1 for v in verdicts.values() if v["detected"])
    articles_n = sum(1 for v in verdicts.values() if v["detected"] and v["words"])
    print(f"{len(pages)} pages: {detected_n} detected as articles, {articles_n} with text")
    if args.list_rejected:
        for name, verdict in verdicts.items():
            if not verdict["detected"]:
                print("rejected", name)
    if args.json:
        args.json.write_text(json.dumps(verdicts, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
