"""`newsvault replay URI`: browse an archive locally through pywb on 127.0.0.1."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
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
        "replay",
        parents=[archive_parent()],
        help="browse the archive through pywb on 127.0.0.1 (collection built on the fly)",
        description="Builds a temporary pywb collection from the selected runs' WARCs and "
        "CDXJ (local WARCs are linked, S3 ones downloaded) and serves it on 127.0.0.1 until "
        "Ctrl-C. Needs pywb: pip install 'newsvault[replay]'.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (8080)")
    p.set_defaults(func=cmd_replay)


def wayback_command() -> str | None:
    here = Path(sys.executable).parent / "wayback"
    return str(here) if here.exists() else shutil.which("wayback")


def cmd_replay(args: argparse.Namespace) -> int:
    from crawler.archive import ArchiveError
    from crawler.archive.replay import COLLECTION, build_collection

    wayback = wayback_command()
    if wayback is None:
        raise fail(
            "newsvault replay needs pywb: pip install 'newsvault[replay]' (or pip install pywb)"
        )
    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    with tempfile.TemporaryDirectory(prefix="newsvault-replay-") as tmp:
        root = Path(tmp)
        try:
            build_collection(archive, runs, root)
        except ArchiveError as exc:
            raise fail(str(exc)) from None
        print(
            f"replaying {archive.uri} ({len(runs)} run(s)) at "
            f"http://127.0.0.1:{args.port}/{COLLECTION}/ (Ctrl-C stops)",
            flush=True,
        )
        # pywb's fakeredis 0.x needs a name redis >= 4 dropped: see pywb_compat/sitecustomize.py
        compat = str(Path(__file__).resolve().parents[1] / "archive" / "pywb_compat")
        path = os.pathsep.join(p for p in (compat, os.environ.get("PYTHONPATH", "")) if p)
        proc = subprocess.Popen(
            [wayback, "-b", "127.0.0.1", "-p", str(args.port)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": path},
        )
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            return 0
