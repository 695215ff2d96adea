"""`newsvault record URI URL`: one archived capture, read by byte range (revisits resolved)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

from crawler.cli.archive_options import (
    URI_HELP,
    archive_parent,
    fail,
    open_from_args,
    selected_runs,
)

logger = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "record",
        parents=[archive_parent()],
        help="print (or save) the archived response for a URL, reading only its record's bytes",
        description="Finds the capture of URL closest to --at (the latest without it) in the "
        "capture index, reads only that record's byte range from its WARC file (an S3 Range "
        "request), follows a revisit to the original response, and prints the archived HTTP "
        "response: status line, headers, blank line, payload (Content-Encoding removed).",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("url", metavar="URL", help="the archived URL")
    p.add_argument("--at", metavar="TIMESTAMP", help="20261125101451, a prefix of it, or ISO")
    p.add_argument("--out", metavar="FILE", help="save the decoded payload to FILE instead")
    p.add_argument("--headers", action="store_true", help="print the status line and headers only")
    p.set_defaults(func=cmd_record)


def head_lines(record: Any) -> list[str]:
    status = record.http_status
    try:
        reason = HTTPStatus(status).phrase if status else ""
    except ValueError:
        reason = ""
    lines = [f"{record.http_protocol or 'HTTP/1.1'} {status} {reason}".rstrip()]
    lines += [f"{name}: {value}" for name, value in record.http_headers]
    return lines


def cmd_record(args: argparse.Namespace) -> int:
    from crawler.archive import ArchiveError
    from crawler.archive.records import find_record, parse_at

    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    try:
        at = parse_at(args.at) if args.at else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="newsvault-record-") as tmp:
        try:
            found = find_record(archive, runs, args.url, at, Path(tmp))
        except ArchiveError as exc:
            raise fail(str(exc), 1) from None
    c = found.capture
    where = f"warc/{c.warc_key} @{c.offset}+{c.length}"
    note = f"{c.record_type} of {c.url} at {c.fetch_time:%Y-%m-%dT%H:%M:%SZ} ({where})"
    if found.original is not None:
        o = found.original
        note += f"; payload from warc/{o.warc_key} @{o.offset}+{o.length} ({o.fetch_time:%Y-%m-%dT%H:%M:%SZ})"
    # A revisit keeps its own status line and headers; the payload is the original's.
    head_from = found.record if found.record.http_headers else found.payload_record
    payload = found.payload_record.decoded_payload()
    if args.out:
        target = Path(args.out)
        tmp_path = target.with_name(target.name + ".part")
        tmp_path.write_bytes(payload)
        os.replace(tmp_path, target)
        print(f"{target}: {len(payload)} bytes, {note}", file=sys.stderr)
        return 0
    print(note, file=sys.stderr)
    out = sys.stdout.buffer
    out.write(("\r\n".join(head_lines(head_from)) + "\r\n\r\n").encode("utf-8", "replace"))
    if not args.headers:
        out.write(payload)
    out.flush()
    return 0
