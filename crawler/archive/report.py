"""A one-page HTML report on an archive: charts drawn as inline SVG, nothing fetched to view it."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.archive.catalog import Archive, Run
from crawler.archive.export import iter_articles, to_utc

PALETTE = ("#1b6ca8", "#e07b39", "#3a9a5b", "#b8404a", "#7d5ba6", "#8c6d31", "#2a9d9d", "#c45a9e")
ERROR_WORDS = ("error", "exception", "timeout", "failure", "refused", "denied")


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _short(label: str, room: int = 32) -> str:
    """Long labels keep their end (``.../exception_type_count/IgnoreRequest``)."""
    return label if len(label) <= room else "…" + label[-(room - 1) :]


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, unit: str = "") -> str:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return f'<section class="chart empty"><h2>{_esc(title)}</h2><p>no data</p></section>'
    top = max(v for _, v in items) or 1
    row, left, width = 22, 220, 420
    height = row * len(items) + 10
    bars = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        w = max(1.0, width * value / top)
        shown = f"{value:.0%}" if unit == "%" else f"{value:g}"
        bars.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_esc(_short(label))}</text>'
            f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{_esc(label)}: {shown}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{_esc(shown)}</text>'
        )
    return (
        f'<section class="chart"><h2>{_esc(title)}</h2>'
        f'<svg role="img" aria-label="{_esc(title)}" width="{left + width + 80}" '
        f'height="{height}" viewBox="0 0 {left + width + 80} {height}">{"".join(bars)}</svg></section>'
    )


def stacked_chart(title: str, columns: Sequence[str], series: dict[str, dict[str, int]]) -> str:
    """Vertical stacked bars: one column per label (e.g. a day), one colour per series."""
    if not columns or not series:
        return f'<section class="chart empty"><h2>{_esc(title)}</h2><p>no data</p></section>'
    totals = [sum(s.get(c, 0) for s in series.values()) for c in columns]
    top = max(totals) or 1
    col, height, base = 46, 220, 240
    width = 60 + col * len(columns)
    parts = []
    for i, column in enumerate(columns):
        x, y = 50 + i * col, float(base)
        for j, (name, values) in enumerate(sorted(series.items())):
            n = values.get(column, 0)
            if not n:
                continue
            h = height * n / top
            y -= h
            parts.append(
                f'<rect class="bar" x="{x}" y="{y:.1f}" width="{col - 10}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{_esc(name)} {_esc(column)}: {n}</title></rect>'
            )
        parts.append(
            f'<text x="{x + (col - 10) / 2}" y="{base + 14}" text-anchor="middle" '
            f'font-size="10">{_esc(column[5:])}</text>'
            f'<text x="{x + (col - 10) / 2}" y="{y - 3:.1f}" text-anchor="middle">{totals[i]}</text>'
        )
    legend = "".join(
        f'<span><i style="background:{PALETTE[j % len(PALETTE)]}"></i>{_esc(name)}</span>'
        for j, name in enumerate(sorted(series))
    )
    return (
        f'<section class="chart"><h2>{_esc(title)}</h2>'
        f'<svg role="img" aria-label="{_esc(title)}" width="{width}" height="{base + 24}" '
        f'viewBox="0 0 {width} {base + 24}">{"".join(parts)}</svg>'
        f'<p class="legend">{legend}</p></section>'
    )


def line_chart(title: str, points: Sequence[tuple[str, float]], unit: str = "MB") -> str:
    if not points:
        return f'<section class="chart empty"><h2>{_esc(title)}</h2><p>no data</p></section>'
    top = max(v for _, v in points) or 1
    width, height = 600, 200
    step = width / max(1, len(points) - 1)
    coords = [(50 + i * step, 20 + height - height * v / top) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[0]}">'
        f"<title>{_esc(label)}: {value:.2f} {unit}</title></circle>"
        for (x, y), (label, value) in zip(coords, points, strict=True)
    )
    return (
        f'<section class="chart"><h2>{_esc(title)}</h2>'
        f'<svg role="img" aria-label="{_esc(title)}" width="{width + 100}" height="{height + 50}" '
        f'viewBox="0 0 {width + 100} {height + 50}"><polyline fill="none" stroke="{PALETTE[0]}" '
        f'stroke-width="2" points="{path}"/>{dots}'
        f'<text x="50" y="{height + 42}">{_esc(points[0][0])}</text>'
        f'<text x="{50 + width}" y="{height + 42}" text-anchor="end">{_esc(points[-1][0])}: '
        f"{points[-1][1]:.2f} {unit}</text></svg></section>"
    )


def collect(archive: Archive, runs: Sequence[Run], index_paths: Sequence[Path]) -> dict[str, Any]:
    """The figures the report shows."""
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    sources: dict[str, Counter[str]] = defaultdict(Counter)
    comments_hist: Counter[str] = Counter()
    for article in iter_articles(archive, runs):
        source = str(article.get("source") or "?")
        fetched = to_utc(article.get("fetched_at"))
        day = f"{fetched:%Y-%m-%d}" if fetched else "unknown"
        per_day[source][day] += 1
        s = sources[source]
        s["articles"] += 1
        s["author"] += bool(article.get("authors"))
        s["date"] += bool(article.get("published"))
        n = len(article.get("comments") or ())
        s["comments"] += n > 0
        comments_hist["0" if n == 0 else "1-5" if n <= 5 else "6-20" if n <= 20 else "21+"] += 1
    status: Counter[str] = Counter()
    if index_paths:
        import pyarrow.parquet as pq

        table = pq.read_table([str(p) for p in index_paths], columns=["status", "record_type"])
        for code, kind in zip(
            table.column("status").to_pylist(), table.column("record_type").to_pylist(), strict=True
        ):
            status["revisit" if kind == "revisit" else str(code)] += 1
    size: list[tuple[str, float]] = []
    total = 0
    errors: Counter[str] = Counter()
    for run in sorted(runs, key=lambda r: r.started or datetime.min):
        total += sum(f.size for f in run.files if f.kind != "state")
        size.append(
            ((run.started or run.finished or datetime.min).strftime("%Y-%m-%d %H:%M"), total / 1e6)
        )
        for key, value in run.stat_totals().items():
            if value and any(w in key.lower() for w in ERROR_WORDS):
                errors[key] += value
    return {
        "per_day": {k: dict(v) for k, v in per_day.items()},
        "sources": {k: dict(v) for k, v in sources.items()},
        "comments": dict(comments_hist),
        "status": dict(status),
        "size": size,
        "errors": dict(errors.most_common(12)),
        "runs": len(runs),
    }


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em} h2{font-size:1.1em;margin:.2em 0}
.chart{border:1px solid #ddd;border-radius:6px;padding:1em;margin:1em 0}
svg text{font-size:12px;fill:#333} .legend span{margin-right:1em}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
table{border-collapse:collapse} td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}
"""


def render(archive_uri: str, figures: dict[str, Any]) -> str:
    days = sorted({d for per in figures["per_day"].values() for d in per})
    shares = []
    for source, s in sorted(figures["sources"].items()):
        n = s.get("articles", 0) or 1
        for what in ("author", "date", "comments"):
            shares.append((f"{source}: with {what}", s.get(what, 0) / n))
    order = ["0", "1-5", "6-20", "21+"]
    rows = (
        "".join(f"<tr><td>{_esc(k)}</td><td>{v}</td></tr>" for k, v in figures["errors"].items())
        or '<tr><td colspan="2">no errors counted</td></tr>'
    )
    charts = [
        stacked_chart("Articles per source per day (by fetch date)", days, figures["per_day"]),
        bar_chart("Share of articles with author, date and comments", shares, unit="%"),
        bar_chart(
            "Articles by number of comments",
            [(k, figures["comments"].get(k, 0)) for k in order if k in figures["comments"]],
        ),
        bar_chart("HTTP status of captures", sorted(figures["status"].items())),
        line_chart("Archive size over time (cumulative, by run)", figures["size"]),
        bar_chart("Top errors (run stats)", list(figures["errors"].items())),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>newsvault report: {_esc(archive_uri)}</title><style>{STYLE}</style></head><body>"
        f"<h1>newsvault archive report</h1><p>{_esc(archive_uri)}: {figures['runs']} run(s), "
        f"{sum(s.get('articles', 0) for s in figures['sources'].values())} article(s)</p>"
        + "".join(charts)
        + f"<section><h2>Error counters</h2><table><tr><th>stat</th><th>count</th></tr>{rows}</table></section>"
        + f'<script type="application/json" id="figures">{_esc(json.dumps(figures, default=str))}</script>'
        + "</body></html>\n"
    )
