"""The `newsvault extract` command: one HTML page -> article JSON, through the crawl's extraction code."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from crawler.config import DEFAULT_SETTINGS
from crawler.extract import FAVOR_CHOICES, ExtractionOptions, looks_binary
from crawler.extract.bounds import MB

logger = logging.getLogger(__name__)

__all__ = ["add_parser", "cmd_extract"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``extract`` on the ``newsvault`` sub-command parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "extract",
        help="print the article JSON for one HTML page (file or stdin)",
        description="Extract one saved HTML page with the same code the crawl uses, and print the JSON.",
    )
    p.add_argument("file", nargs="?", default="-", help="HTML file, or - for stdin (default)")
    p.add_argument(
        "--url", help="the page's URL (default: file:// URL of FILE); used for dates and links"
    )
    p.add_argument("--encoding", help="charset from the HTTP header, if known")
    p.add_argument("--no-comments", action="store_true", help="skip reader comments")
    p.add_argument(
        "--favor", choices=FAVOR_CHOICES, default="balanced", help="precision/recall trade-off"
    )
    p.add_argument("--no-tables", action="store_true", help="leave table text out of the body")
    p.add_argument("--compact", action="store_true", help="one line of JSON instead of indented")
    p.add_argument(
        "--max-mb",
        type=float,
        default=DEFAULT_SETTINGS["ARCHIVE_EXTRACTION_MAX_HTML_MB"],
        metavar="MB",
        help="refuse larger input, as the crawl does (default: extraction.max_html_mb, 8)",
    )
    p.set_defaults(func=cmd_extract)
    return p


def cmd_extract(args: argparse.Namespace) -> int:
    """Run extraction on one page and print the JSON to stdout; 0 on success, 2 on a bad input."""
    limit = int(args.max_mb * MB)
    name = "stdin" if args.file == "-" else args.file
    if args.file == "-":
        # read one byte past the limit, never the whole of an endless stream
        body = sys.stdin.buffer.read(limit + 1)
        url = args.url or "file:///dev/stdin"
    else:
        path = Path(args.file)
        try:
            with path.open("rb") as fh:
                body = fh.read(limit + 1)
        except OSError as err:
            print(f"newsvault extract: cannot read {args.file}: {err.strerror}", file=sys.stderr)
            return 2
        url = args.url or path.resolve().as_uri()
    if len(body) > limit:
        print(
            f"newsvault extract: {name} is larger than {args.max_mb:g} MB; "
            "raise --max-mb if it really is one HTML page",
            file=sys.stderr,
        )
        return 2
    if looks_binary(body):
        print(
            f"newsvault extract: {name} is binary, not an HTML page; give a saved .html file",
            file=sys.stderr,
        )
        return 2
    from crawler.extract import extract_article  # the extractor, imported when it is used

    options = ExtractionOptions(
        comments=not args.no_comments, favor=args.favor, include_tables=not args.no_tables
    )
    article = extract_article(body, url, encoding=args.encoding, options=options)
    indent = None if args.compact else 2
    sys.stdout.write(json.dumps(article, ensure_ascii=False, indent=indent) + "\n")
    return 0
