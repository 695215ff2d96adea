"""`newsvault ls URI`: what an archive holds (runs, sources, files, sizes, counts), from its manifests."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.cli.archive_options import URI_HELP, archive_parent, open_from_args, selected_runs

if TYPE_CHECKING:
    from crawler.archive import ArchiveFile, Run, RunManifest

logger = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "ls",
        parents=[archive_parent()],
        help="list an archive's runs, sources and files with sizes and counts",
        description="List the runs of an archive (from its manifests) with their sources, "
        "files, sizes, record and article counts, and totals over the runs shown. A "
        "distributed run is one run: its workers' files and counts together, from its first "
        "start to its last end, with the finish reason of its worst worker.",
    )
    p.add_argument("uri", metavar="URI", help=URI_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON document instead")
    p.add_argument("--files", action="store_true", help="list every file of each run")
    p.add_argument(
        "--by-worker",
        action="store_true",
        help="under each distributed run, one line per worker (its own manifest)",
    )
    p.set_defaults(func=cmd_ls)


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _counts(
    files: Sequence[ArchiveFile], sources: Mapping[str, Mapping[str, Any]], source: str | None
) -> dict[str, Any]:
    by_kind: dict[str, dict[str, int]] = {}
    for f in files:
        entry = by_kind.setdefault(f.kind or "other", {"files": 0, "bytes": 0, "records": 0})
        entry["files"] += 1
        entry["bytes"] += f.size
        entry["records"] += f.records
    chosen = {n: dict(c) for n, c in sources.items() if not source or n == source}
    return {
        "sources": chosen,
        "articles": sum(int(c.get("articles", 0) or 0) for c in chosen.values()),
        "fetched": sum(int(c.get("fetched", 0) or 0) for c in chosen.values()),
        "files": len(files),
        "bytes": sum(f.size for f in files),
        "kinds": dict(sorted(by_kind.items())),
    }


def worker_summary(manifest: RunManifest, source: str | None) -> dict[str, Any]:
    return {
        "worker_id": manifest.worker_id,
        "manifest": manifest.key,
        "started": _when(manifest.started),
        "finished": _when(manifest.finished),
        "finish_reason": manifest.finish_reason,
        "outcome": manifest.outcome,
        **_counts(manifest.files, manifest.sources, source),
    }


def run_summary(run: Run, source: str | None) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "started": _when(run.started),
        "finished": _when(run.finished),
        "finish_reason": run.finish_reason,
        "outcome": run.outcome,
        **_counts(run.files, run.sources, source),
        "workers": [worker_summary(m, source) for m in run.manifests if m.worker_id],
        "file_list": [
            {
                "path": f.path,
                "size": f.size,
                "records": f.records,
                "kind": f.kind,
                "sha256": f.sha256,
                "status": f.status,
                "worker_id": f.worker_id,
            }
            for f in run.files
        ],
    }


def totals(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    kinds: dict[str, dict[str, int]] = {}
    sources: dict[str, dict[str, int]] = {}
    for s in summaries:
        for kind, c in s["kinds"].items():
            k = kinds.setdefault(kind, {"files": 0, "bytes": 0, "records": 0})
            for name in k:
                k[name] += c[name]
        for name, counters in s["sources"].items():
            t = sources.setdefault(name, {})
            for counter, value in counters.items():
                if isinstance(value, int):
                    t[counter] = t.get(counter, 0) + value
    return {
        "runs": len(summaries),
        "files": sum(s["files"] for s in summaries),
        "bytes": sum(s["bytes"] for s in summaries),
        "articles": sum(s["articles"] for s in summaries),
        "fetched": sum(s["fetched"] for s in summaries),
        "kinds": dict(sorted(kinds.items())),
        "sources": dict(sorted(sources.items())),
    }


def _span(s: Mapping[str, Any]) -> str:
    def short(value: str | None) -> str:
        return (value or "?")[:19].replace("T", " ")

    return f"started {short(s['started'])} ended {short(s['finished'])}"


def _status(s: Mapping[str, Any]) -> str:
    reason = s["finish_reason"] or "unfinished"
    return f"{reason}, {s['outcome']}" if s["outcome"] else reason


def cmd_ls(args: argparse.Namespace) -> int:
    archive = open_from_args(args)
    runs = selected_runs(args, archive)
    summaries = [run_summary(run, args.source) for run in runs]
    total = totals(summaries)
    if args.json:
        if not args.files:
            for s in summaries:
                s.pop("file_list")
        print(json.dumps({"archive": archive.uri, "runs": summaries, "totals": total}, indent=2))
        return 0
    print(f"archive {archive.uri}")
    for s in summaries:
        workers = f"  {len(s['workers'])} workers" if s["workers"] else ""
        print(
            f"run {s['run_id']}  {_span(s)} ({_status(s)}){workers}  "
            f"fetched {s['fetched']}  articles {s['articles']}  "
            f"{s['files']} files {human(s['bytes'])}"
        )
        for name, counters in s["sources"].items():
            shown = ", ".join(f"{k} {v}" for k, v in counters.items())
            print(f"  source {name}: {shown}")
        for kind, c in s["kinds"].items():
            print(
                f"  {kind:9} {c['files']:4} file(s) {human(c['bytes']):>10}  {c['records']} record(s)"
            )
        if args.by_worker:
            for w in s["workers"]:
                print(
                    f"  worker {w['worker_id']}  {_span(w)} ({_status(w)})  "
                    f"fetched {w['fetched']}  articles {w['articles']}  "
                    f"{w['files']} files {human(w['bytes'])}"
                )
        if args.files:
            for f in s["file_list"]:
                print(f"    {f['path']}  {human(f['size'])}  {f['records']} record(s)")
    print(
        f"total: {total['runs']} run(s), {total['files']} file(s), {human(total['bytes'])}, "
        f"fetched {total['fetched']}, articles {total['articles']}"
    )
    for kind, c in total["kinds"].items():
        print(
            f"  {kind:9} {c['files']:4} file(s) {human(c['bytes']):>10}  {c['records']} record(s)"
        )
    return 0
