"""The shared extraction development set: newsvault, trafilatura and readability-lxml, scored side by side.

Used by ``scripts/extraction_quality.py --dev DIR``. DIR holds ``pages.tar.gz`` (or its
unpacked ``html/`` and ``gold/``) and ``score.py``, whose metric (shingle F1 of the Zyte
article-extraction benchmark) is the one reported: it is loaded from DIR, not copied.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

logger = logging.getLogger("extraction_quality")

# CleanEval and CleanPortalEval files begin with a line the dataset added: <text id="URL" ...>
_TEXT_LINE_RE = re.compile(rb'^\s*<text id="([^"]*)"[^>]*>\s*\n?')

Prediction = dict[str, str]
# newsvault's comments scored with each comment's byline lines ("Ann says:", its date as
# written) before its text: the gold keeps those lines, newsvault's `text` does not
PRINTED = "newsvault (printed)"


def load_scorer(dev: Path) -> ModuleType:
    path = dev / "score.py"
    if not path.is_file():
        raise SystemExit(
            f"{path}: not found; --dev needs the folder holding score.py and pages.tar.gz"
        )
    spec = importlib.util.spec_from_file_location("extraction_dev_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pages_folder(dev: Path, cache: Path) -> Path:
    """The unpacked pages: DIR itself if it has html/ and gold/, else pages.tar.gz unpacked into the cache."""
    if (dev / "html").is_dir() and (dev / "gold").is_dir():
        return dev
    target = cache / "pages"
    if not (target / "gold").is_dir():
        archive = dev / "pages.tar.gz"
        if not archive.is_file():
            raise SystemExit(f"{archive}: not found (nor {dev}/html and {dev}/gold)")
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tf:
            tf.extractall(target, filter="data")
    return target


def page_input(raw: bytes) -> tuple[bytes, str]:
    """The page as a crawler would have fetched it (without the dataset's line) and its URL."""
    match = _TEXT_LINE_RE.match(raw)
    if match:
        return raw[match.end() :], match.group(1).decode("utf-8", "replace")
    return raw, ""


def iter_pages(folder: Path, only_set: str | None) -> Iterator[tuple[str, str, Path]]:
    for path in sorted((folder / "html").glob("*/*.html")):
        if only_set and path.parent.name != only_set:
            continue
        yield path.parent.name, path.stem, path


# ------------------------------------------------------------------ systems


def newsvault_predict(path: Path, set_name: str, page_id: str) -> Prediction:
    from crawler.extract import extract_article

    body, url = page_input(path.read_bytes())
    url = url or f"https://{set_name}.invalid/{page_id}.html"
    try:
        article = extract_article(body, url)
    except Exception:  # scored as empty output, and said
        logger.exception("newsvault raised on %s/%s", set_name, page_id)
        return {"text": "", "comments": "", "comments_printed": ""}
    return {
        "text": article["text"],
        "comments": "\n".join(c["text"] for c in article["comments"]),
        # each comment as the page prints it: its byline lines, then its text (what the
        # Dragnet annotators marked, and what trafilatura's flat comment string holds)
        "comments_printed": "\n".join(
            f"{c['byline']}\n{c['text']}" if c["byline"] else c["text"] for c in article["comments"]
        ),
    }


def trafilatura_predict(
    path: Path, set_name: str, page_id: str, favor: str | None = None
) -> Prediction:
    """trafilatura's defaults (or ``favor_precision`` / ``favor_recall``), comments kept apart (as score.py's own baseline)."""
    import trafilatura

    body, _url = page_input(path.read_bytes())
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    try:
        doc = trafilatura.bare_extraction(
            body,
            include_comments=True,
            with_metadata=False,
            favor_precision=favor == "precision",
            favor_recall=favor == "recall",
        )
    except Exception:
        return {"text": "", "comments": ""}
    if doc is None:
        return {"text": "", "comments": ""}
    return {
        "text": getattr(doc, "text", None) or "",
        "comments": getattr(doc, "comments", None) or "",
    }


def readability_predict(path: Path, set_name: str, page_id: str) -> Prediction:
    """readability-lxml's ``Document.summary()``, as text (it has no comment output)."""
    from lxml import etree
    from lxml import html as lxml_html
    from readability import Document

    from crawler.extract.parse import decode_html

    body, url = page_input(path.read_bytes())
    logging.getLogger("readability").setLevel(logging.CRITICAL)
    try:
        summary = Document(decode_html(body), url=url or None).summary(html_partial=True)
        node = lxml_html.fromstring(summary)
    except Exception:
        return {"text": "", "comments": ""}
    # one line per block: words of adjacent blocks must not run together
    blocks = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "pre"}
    parts: list[str] = []
    for event, el in etree.iterwalk(node, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in blocks:
                parts.append("\n")
            parts.append(el.text or "")
        else:
            if tag in blocks:
                parts.append("\n")
            if el is not node:
                parts.append(el.tail or "")
    return {"text": "".join(parts).strip(), "comments": ""}


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _run_job(args: tuple[str, Path, str, str]) -> tuple[str, str, Prediction]:
    system, path, set_name, page_id = args
    return set_name, page_id, SYSTEMS[system][1](path, set_name, page_id)


SYSTEMS: dict[str, tuple[str, Callable[[Path, str, str], Prediction]]] = {
    "newsvault": ("newsvault", newsvault_predict),
    "trafilatura": ("trafilatura", trafilatura_predict),
    # trafilatura's other two settings: the bar is its best one per set
    "trafilatura-precision": (
        "trafilatura",
        lambda path, s, i: trafilatura_predict(path, s, i, "precision"),
    ),
    "trafilatura-recall": (
        "trafilatura",
        lambda path, s, i: trafilatura_predict(path, s, i, "recall"),
    ),
    "readability-lxml": ("readability-lxml", readability_predict),
}


def predict(
    system: str, pages: list[tuple[str, str, Path]], jobs: int
) -> dict[tuple[str, str], Prediction]:
    jobs_args = [(system, path, s, i) for s, i, path in pages]
    start = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_run_job, jobs_args, chunksize=8))
    else:
        results = [_run_job(a) for a in jobs_args]
    logger.info("%s: %d pages in %.1f s", system, len(pages), time.perf_counter() - start)
    return {(s, i): p for s, i, p in results}


def cached_predict(
    system: str, pages: list[tuple[str, str, Path]], jobs: int, cache: Path
) -> dict[tuple[str, str], Prediction] | None:
    """A baseline's predictions, from the cache or computed (and cached); None if not importable."""
    version = _version(SYSTEMS[system][0])
    if version is None:
        file = next(iter(sorted(cache.glob(f"{system}-*.jsonl"))), None)
    else:
        file = cache / f"{system}-{version}.jsonl"
    if file is not None and file.is_file():
        preds = read_predictions(file)
        if all((s, i) in preds for s, i, _ in pages):
            return preds
    if version is None:
        logger.info("%s is not importable and not cached: no column", system)
        return None
    preds = predict(system, pages, jobs)
    write_predictions(cache / f"{system}-{version}.jsonl", preds)
    return preds


def read_predictions(path: Path) -> dict[tuple[str, str], Prediction]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            out[(obj["set"], obj["id"])] = {"text": obj["text"], "comments": obj["comments"]}
    return out


def write_predictions(path: Path, preds: dict[tuple[str, str], Prediction]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for (s, i), p in sorted(preds.items()):
            fh.write(json.dumps({"set": s, "id": i, **p}, ensure_ascii=False) + "\n")
    tmp.replace(path)


# ------------------------------------------------------------------ table


def _fmt(x: Any) -> str:
    return "  -  " if x is None or x != x else f"{x:.3f}"


def run_dev(
    dev: Path,
    *,
    cache: Path,
    jobs: int,
    only_set: str | None,
    baselines: bool,
    predictions_out: Path | None,
    per_page: Path | None,
    all_settings: bool = False,
) -> dict[str, Any]:
    trafilatura_settings = ("trafilatura-precision", "trafilatura-recall") if all_settings else ()
    scorer = load_scorer(dev)
    folder = pages_folder(dev, cache)
    pages = list(iter_pages(folder, only_set))
    if not pages:
        raise SystemExit(f"{folder}/html: no pages" + (f" in set {only_set!r}" if only_set else ""))
    gold = {}
    for s, i, _ in pages:
        gold[(s, i)] = json.loads((folder / "gold" / s / f"{i}.json").read_text(encoding="utf-8"))

    own = predict("newsvault", pages, jobs)
    systems: list[tuple[str, dict[tuple[str, str], Prediction]]] = [
        ("newsvault", own),
        (
            PRINTED,
            {k: {"text": p["text"], "comments": p["comments_printed"]} for k, p in own.items()},
        ),
    ]
    if predictions_out:
        write_predictions(predictions_out, systems[0][1])
    if baselines:
        for name in ("trafilatura", *trafilatura_settings, "readability-lxml"):
            preds = cached_predict(name, pages, jobs, cache)
            if preds is not None:
                systems.append((name, preds))

    empty = {"text": "", "comments": ""}
    summary: dict[str, Any] = {}
    rows_out: list[dict[str, Any]] = []
    sets = sorted({s for s, _, _ in pages})
    for s in sets:
        keys = [k for k in sorted(gold) if k[0] == s]
        labelled = any(gold[k]["comments"] is not None for k in keys)
        for name, preds in systems:
            if name == PRINTED and not labelled:
                continue  # the same figures as newsvault's where comments are not scored
            res, rows = scorer.score_set([(gold[k], preds.get(k, empty)) for k in keys], labelled)
            summary.setdefault(s, {})[name] = res
            rows_out += [{"system": name, **r} for r in rows]
    print(format_table(summary, [n for n, _ in systems]))
    if per_page:
        with open(per_page, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows_out)
    return summary


def format_table(summary: dict[str, Any], names: list[str]) -> str:
    lines = [
        f"{'set':<16} {'system':<21} {'pages':>5} | {'main F1':>7} {'P':>5} {'R':>5} | "
        f"{'w/ comm':>7} {'comm F1':>7} {'P':>5} {'R':>5} {'false':>5} {'leak':>5}"
    ]
    for s, by_name in summary.items():
        for name in names:
            if name not in by_name:
                continue
            r = by_name[name]
            m = r["main"]
            line = (
                f"{s:<16} {name:<21} {r['pages']:>5} | {_fmt(m['f1']):>7} "
                f"{_fmt(m['precision']):>5} {_fmt(m['recall']):>5} |"
            )
            c = r.get("comments")
            if c and name != "readability-lxml":
                line += (
                    f" {c['pages_with_gold_comments']:>7} {_fmt(c['f1']):>7} {_fmt(c['precision']):>5}"
                    f" {_fmt(c['recall']):>5} {_fmt(c['false_comments_rate']):>5} {_fmt(c['leak']):>5}"
                )
            elif c:
                line += f" {'':>7} {'(no comments)':>19} {'':>5} {_fmt(c['leak']):>5}"
            lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run scripts/extraction_quality.py --dev DIR")
