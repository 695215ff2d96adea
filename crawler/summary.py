"""The end-of-crawl summary an operator reads: outcome, duration, status mix, sources, files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crawler.config import settings_value
from crawler.outcome import Outcome, per_source

_STATUS = re.compile(r"^downloader/response_status_count/(\d{3})$")


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns


def human_duration(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def status_mix(stats: Mapping[str, Any]) -> dict[str, int]:
    """Responses by status class: ``{"2xx": n, "3xx": n, "4xx": n, "5xx": n}``."""
    mix = {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0}
    for key, value in stats.items():
        m = _STATUS.match(key)
        if m and isinstance(value, int):
            cls = f"{m.group(1)[0]}xx"
            mix[cls] = mix.get(cls, 0) + value
    return mix


def format_summary(stats: Mapping[str, Any], settings: Any, outcome: Outcome) -> str:
    """A short human summary of a finished crawl, from its Scrapy stats."""

    def stat(name: str) -> int:
        value = stats.get(name, 0)
        return value if isinstance(value, int) else 0

    run_id = settings.get("ARCHIVE_RUN_ID") or stats.get("newsvault/run_id") or "?"
    sources = per_source(stats)
    errors = sum(c.get("errors", 0) for c in sources.values())
    mix = status_mix(stats)
    elapsed = stats.get("elapsed_time_seconds")
    lines = [
        f"newsvault run {run_id}: {outcome.status} (exit {outcome.exit_code})",
        f"  duration  {human_duration(float(elapsed)) if elapsed is not None else '?'}"
        f"  (finish reason: {stats.get('finish_reason', 'unknown')})",
        f"  responses {stat('downloader/response_count')}  ("
        + ", ".join(f"{k} {v}" for k, v in mix.items())
        + f"), network errors {errors}",
        f"  articles  {stat('newsvault/json/records')}  "
        f"({stat('newsvault/extract/comments')} comments)",
    ]
    if sources:
        width = max(6, *(len(name) for name in sources))
        lines.append(
            f"  {'source':<{width}}  {'fetched':>7}  {'articles':>8}  {'known':>5}  "
            f"{'errors':>6}  status"
        )
        for name, c in sources.items():
            failed = name in outcome.failed_sources
            lines.append(
                f"  {name:<{width}}  {c.get('fetched', 0):>7}  {c.get('articles', 0):>8}  "
                f"{c.get('skipped_known', 0):>5}  "
                f"{c.get('errors', 0) + c.get('http_errors', 0):>6}  "
                f"{'FAILED' if failed else 'ok'}"
            )
    warc = settings_value(settings, "ARCHIVE_STORAGE_WARC")
    lines.append(
        f"  WARC      {stat('newsvault/warc/files')} file(s), "
        f"{stat('newsvault/warc/records')} records, "
        f"{human_bytes(stat('newsvault/warc/bytes'))} -> {warc}"
    )
    if stat("newsvault/json/files") or stat("newsvault/json/records"):
        json_uri = settings_value(settings, "ARCHIVE_STORAGE_JSON")
        lines.append(f"  JSON      {stat('newsvault/json/files')} file(s) -> {json_uri}")
    manifests = settings_value(settings, "ARCHIVE_STORAGE_MANIFESTS")
    worker = settings.get("ARCHIVE_WORKER_ID")  # a worker of a distributed run
    name = f"{run_id}~{worker}.json" if worker else f"{run_id}.json"
    lines.append(f"  manifest  {str(manifests).rstrip('/')}/{name}")
    pending = stat("newsvault/upload/pending")
    if pending:
        spool = settings_value(settings, "ARCHIVE_STORAGE_SPOOL")
        lines.append(
            f"  NOT YET UPLOADED: {pending} file(s) wait in {spool}; run `newsvault upload`"
        )
    for problem in outcome.problems:
        lines.append(f"  problem: {problem}")
    return "\n".join(lines)
