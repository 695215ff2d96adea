"""Re-pin tests/golden/*.json: the extraction of every sample-site article page.

Run after a deliberate change to extraction or to the sample site, then review the diff:

    python scripts/pin_goldens.py            # rewrite the goldens
    python scripts/pin_goldens.py --check    # exit 1 if any golden is stale
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extract import extract_article, extract_pages  # noqa: E402
from tests.sample_site import render_html  # noqa: E402
from tests.sample_site.catalog import ARTICLES  # noqa: E402

logger = logging.getLogger("pin_goldens")

GOLDEN_DIR = ROOT / "tests" / "golden"
# a fixed origin so the goldens do not depend on the port the test server got
BASE = "http://sample.test"


Part = tuple[str, str, bytes, str]


def sample_pages() -> list[tuple[str, str, bytes, str, list[Part]]]:
    """(key, url, body bytes, charset, further pages) for every sample-site article.

    The further pages of a multi-page article are ``(url, kind, body, charset)``, as the
    crawl hands them to extraction.
    """
    articles = list(ARTICLES)
    out = []
    for article in articles:
        body = render_html.article_page(article, BASE, articles).encode(article.charset)
        parts = [
            (BASE + path, kind, html.encode(article.charset), article.charset)
            for path, kind, html in render_html.further_pages(article, BASE, articles)
        ]
        out.append((article.key, BASE + article.path, body, article.charset, parts))
    return out


def golden_for(
    url: str, body: bytes, charset: str, parts: list[Part] | None = None
) -> dict[str, object]:
    if parts:
        return extract_pages(body, url, parts, encoding=charset)
    return extract_article(body, url, encoding=charset)


def render(article: dict[str, object]) -> str:
    return json.dumps(article, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 when a golden differs"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    stale = 0
    keys = set()
    for key, url, body, charset, parts in sample_pages():
        keys.add(key)
        path = GOLDEN_DIR / f"{key}.json"
        text = render(golden_for(url, body, charset, parts))
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale += 1
        if args.check:
            logger.info("stale: %s", path.relative_to(ROOT))
        else:
            path.write_text(text, encoding="utf-8")
            logger.info("pinned: %s", path.relative_to(ROOT))
    for path in GOLDEN_DIR.glob("*.json"):
        if path.stem not in keys:
            stale += 1
            logger.info("orphan golden (no such article): %s", path.relative_to(ROOT))
    logger.info(
        "%d article pages, %d golden(s) %s", len(keys), stale, "stale" if args.check else "written"
    )
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
