"""Score extraction over a folder of pages with expected outputs (text token F1, comment F1, metadata).

Layout: ``DIR/NAME.html`` (or ``.htm``) beside ``DIR/NAME.json`` holding what is expected:
``url``, ``text`` (or ``paragraphs``), ``comments`` (list of strings or of ``{id, parent_id,
author, text}``), and optionally ``title``, ``authors``, ``published``, ``comments_status``.
Pages without a ``.json`` are still extracted: they count for robustness (exceptions) and speed.

    python scripts/extraction_quality.py DIR [--json OUT] [--baseline] [--show N]
    python scripts/extraction_quality.py --sample-site      # the bundled sample site's articles
    python scripts/extraction_quality.py /tmp/corpus        # robustness run over raw pages
    python scripts/extraction_quality.py --dev ../shared/extraction-dev [-j 2] [--set S]

``--dev`` scores the shared development set (CleanEval, CleanPortalEval, Readability's test
pages, the Dragnet dev half) with its own ``score.py`` (the Zyte benchmark's shingle F1) and
prints newsvault beside trafilatura's defaults and readability-lxml, where importable. The
baselines' predictions are cached (``--cache``): they are computed once.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extract import ExtractionOptions, extract_article  # noqa: E402

logger = logging.getLogger("extraction_quality")

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
COMMENT_MATCH = 0.8  # token F1 at which a predicted comment counts as the expected one


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKEN_RE.findall(text or ""))


def prf(predicted: Counter[str], expected: Counter[str]) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall, F1; two empty texts agree perfectly."""
    if not predicted and not expected:
        return 1.0, 1.0, 1.0
    overlap = sum((predicted & expected).values())
    precision = overlap / sum(predicted.values()) if predicted else 0.0
    recall = overlap / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _comment_dicts(raw: Any) -> list[dict[str, Any]]:
    out = []
    for item in raw or []:
        out.append({"text": item} if isinstance(item, str) else dict(item))
    return out


def comment_scores(
    predicted: list[dict[str, Any]], expected: list[dict[str, Any]]
) -> dict[str, float | None]:
    """Comment-level F1 (greedy match on text), token F1 of all comment text, threading and author accuracy."""
    ptoks = [tokens(c.get("text", "")) for c in predicted]
    etoks = [tokens(c.get("text", "")) for c in expected]
    pairs = sorted(
        ((prf(p, e)[2], i, j) for i, p in enumerate(ptoks) for j, e in enumerate(etoks)),
        reverse=True,
    )
    used_p: set[int] = set()
    used_e: set[int] = set()
    match: dict[int, int] = {}
    for score, i, j in pairs:
        if score < COMMENT_MATCH:
            break
        if i in used_p or j in used_e:
            continue
        used_p.add(i)
        used_e.add(j)
        match[j] = i
    n_match = len(match)
    precision = n_match / len(predicted) if predicted else (1.0 if not expected else 0.0)
    recall = n_match / len(expected) if expected else (1.0 if not predicted else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    all_p = sum(ptoks, Counter())
    all_e = sum(etoks, Counter())
    token_f1 = prf(all_p, all_e)[2]
    # threading: the matched parent of a matched comment is the matched expected parent
    threaded = authored = checked = 0
    exp_by_id = {c.get("id"): j for j, c in enumerate(expected) if c.get("id") is not None}
    pred_by_id = {c.get("id"): i for i, c in enumerate(predicted) if c.get("id") is not None}
    for j, i in match.items():
        if "parent_id" not in expected[j]:
            continue
        checked += 1
        exp_parent = exp_by_id.get(expected[j].get("parent_id"))
        pred_parent = pred_by_id.get(predicted[i].get("parent_id"))
        if (exp_parent is None and pred_parent is None) or (
            exp_parent is not None and match.get(exp_parent) == pred_parent
        ):
            threaded += 1
        if (expected[j].get("author") or None) == (predicted[i].get("author") or None):
            authored += 1
    return {
        "comment_precision": precision,
        "comment_recall": recall,
        "comment_f1": f1,
        "comment_token_f1": token_f1,
        "threading_accuracy": threaded / checked if checked else None,
        "author_accuracy": authored / checked if checked else None,
    }


def expected_text(expected: dict[str, Any]) -> str:
    if "text" in expected:
        return expected["text"] or ""
    return "\n\n".join(expected.get("paragraphs") or [])


def score_page(article: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    p, r, f = prf(tokens(article.get("text", "")), tokens(expected_text(expected)))
    row: dict[str, Any] = {"text_precision": p, "text_recall": r, "text_f1": f}
    if "comments" in expected:
        row.update(
            comment_scores(
                _comment_dicts(article.get("comments")), _comment_dicts(expected["comments"])
            )
        )
    for key in ("title", "authors", "published", "modified", "comments_status"):
        if key in expected:
            row[f"{key}_ok"] = float(article.get(key) == expected[key])
    return row


def baseline_article(body: bytes, url: str) -> dict[str, Any]:
    """trafilatura's own best-effort output, for side-by-side numbers (comments: one per line, no threads)."""
    import trafilatura  # only for the comparison column; the project imports it only in crawler/extract/

    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True, include_comments=True)
    if doc is None:
        return {"text": "", "comments": []}
    comments = [{"text": line} for line in (doc.comments or "").split("\n") if line.strip()]
    return {"text": doc.text or "", "comments": comments, "title": doc.title, "published": doc.date}


def sample_site_folder(folder: Path) -> Path:
    """Write the sample site's article pages and their ground truth as a scoring folder."""
    from tests.sample_site import render_html
    from tests.sample_site.catalog import ARTICLES
    from tests.sample_site.expected import build_expected

    base = "http://sample.test"
    articles = list(ARTICLES)
    truth = {a["key"]: a for a in build_expected(articles)["articles"]}
    for article in articles:
        (folder / f"{article.key}.html").write_bytes(
            render_html.article_page(article, base, articles).encode(article.charset)
        )
        entry = dict(truth[article.key])
        entry["url"] = base + article.path
        entry["encoding"] = article.charset
        # subheadings are article text too
        entry["text"] = "\n\n".join([*entry.get("subheadings", []), *entry["paragraphs"]])
        (folder / f"{article.key}.json").write_text(
            json.dumps(entry, ensure_ascii=False), encoding="utf-8"
        )
    return folder


def mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.fmean(kept) if kept else None


def run(folder: Path, *, baseline: bool, options: ExtractionOptions, show: int) -> dict[str, Any]:
    pages = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".html", ".htm"))
    rows: list[dict[str, Any]] = []
    base_rows: list[dict[str, Any]] = []
    errors: list[str] = []
    statuses: Counter[str] = Counter()
    n_comments = 0
    elapsed = 0.0
    for page in pages:
        body = page.read_bytes()
        meta_path = page.with_suffix(".json")
        expected = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else None
        url = (expected or {}).get("url") or f"https://corpus.invalid/{page.name}"
        start = time.perf_counter()
        try:
            article = extract_article(
                body, url, encoding=(expected or {}).get("encoding"), options=options
            )
        except Exception:
            errors.append(page.name)
            logger.error("extraction raised on %s:\n%s", page.name, traceback.format_exc())
            continue
        finally:
            elapsed += time.perf_counter() - start
        statuses[article["comments_status"]] += 1
        n_comments += len(article["comments"])
        if expected is not None:
            row = score_page(article, expected)
            row["page"] = page.name
            rows.append(row)
            if baseline:
                base = score_page(baseline_article(body, url), expected)
                base["page"] = page.name
                base_rows.append(base)
    summary: dict[str, Any] = {
        "pages": len(pages),
        "errors": len(errors),
        "error_pages": errors,
        "seconds": round(elapsed, 3),
        "pages_per_second": round(len(pages) / elapsed, 2) if elapsed else None,
        "comments_found": n_comments,
        "comments_status": dict(statuses),
        "scored": len(rows),
    }
    if rows:
        keys = [k for k in rows[0] if k != "page"] + sorted(
            {k for r in rows for k in r} - set(rows[0])
        )
        summary["newsvault"] = {k: mean([r.get(k) for r in rows]) for k in keys}
        worst = sorted(rows, key=lambda r: r["text_f1"])[:show]
        summary["worst_text_f1"] = [(r["page"], round(r["text_f1"], 3)) for r in worst]
    if base_rows:
        keys = [k for k in base_rows[0] if k != "page"]
        summary["trafilatura"] = {k: mean([r.get(k) for r in base_rows]) for k in keys}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder", nargs="?", type=Path, help="folder of NAME.html (+ NAME.json) pages"
    )
    parser.add_argument(
        "--sample-site", action="store_true", help="score the bundled sample site's articles"
    )
    parser.add_argument(
        "--baseline", action="store_true", help="also score plain trafilatura, side by side"
    )
    parser.add_argument("--favor", default="balanced", choices=["balanced", "precision", "recall"])
    parser.add_argument("--no-comments", action="store_true")
    parser.add_argument(
        "--show", type=int, default=5, help="list the N pages with the lowest text F1"
    )
    parser.add_argument("--json", type=Path, help="write the summary here too")
    dev = parser.add_argument_group("development set (--dev)")
    dev.add_argument(
        "--dev", type=Path, metavar="DIR", help="score the shared development set in DIR"
    )
    dev.add_argument("--set", dest="only_set", metavar="SET", help="only this set of it")
    dev.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newsvault-extraction-dev",
        help="where the unpacked pages and the baselines' predictions are kept",
    )
    dev.add_argument("--no-baselines", action="store_true", help="newsvault's column only")
    dev.add_argument(
        "--all-settings",
        action="store_true",
        help="also trafilatura with favor_precision and with favor_recall",
    )
    dev.add_argument("-j", "--jobs", type=int, default=1, help="processes (default 1)")
    dev.add_argument("--predictions", type=Path, help="write newsvault's predictions here")
    dev.add_argument("--per-page", type=Path, help="write per-page scores here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.dev:
        from scripts.devset import run_dev

        summary = run_dev(
            args.dev,
            cache=args.cache,
            jobs=args.jobs,
            only_set=args.only_set,
            baselines=not args.no_baselines,
            predictions_out=args.predictions,
            per_page=args.per_page,
            all_settings=args.all_settings,
        )
        if args.json:
            args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return 0
    options = ExtractionOptions(comments=not args.no_comments, favor=args.favor)
    with tempfile.TemporaryDirectory(prefix="nv-quality-") as tmp:
        if args.sample_site:
            folder = sample_site_folder(Path(tmp))
        elif args.folder and args.folder.is_dir():
            folder = args.folder
        else:
            parser.error("give a folder of pages or --sample-site")
        summary = run(folder, baseline=args.baseline, options=options, show=args.show)
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
