"""An archive as a catalog: its runs, sources and files, read from the run manifests."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from pipelines.storage import StorageError, Store, store_from_uri

logger = logging.getLogger(__name__)

#: The stores of an archive laid out as a crawl writes it, under one root.
STORE_NAMES = ("warc", "json", "state", "manifests")
#: What `--kind` selects, by manifest file kind.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "warc": ("warc", "cdxj"),
    "json": ("jsonl",),
    "index": ("index",),
    "state": ("state",),
}


class ArchiveError(Exception):
    """A problem with an archive a user named: one sentence with the URI and the fix."""


@dataclass(frozen=True)
class ArchiveFile:
    """One file a run stored, as its manifest lists it."""

    run_id: str
    store: str
    key: str
    size: int
    sha256: str
    records: int
    kind: str
    status: str = "uploaded"
    #: The worker of a distributed run that stored it ("" for a single-process run).
    worker_id: str = ""

    @property
    def path(self) -> str:
        """Where the file lives relative to the archive root: ``<store>/<key>``."""
        return f"{self.store}/{self.key}"


#: How bad a manifest's outcome (``newsvault/outcome`` in its stats) is; a run is as bad as
#: its worst worker. A manifest without one (recovered, or older) counts as failed.
OUTCOME_RANK = {"ok": 0, "partial": 1, "failed": 2, "usage": 2}


@dataclass(frozen=True)
class RunManifest:
    """One manifest of a run: a single-process run has one, a distributed run one per worker."""

    run_id: str
    key: str
    worker_id: str
    started: datetime | None
    finished: datetime | None
    finish_reason: str
    outcome: str
    sources: Mapping[str, Mapping[str, Any]]
    files: tuple[ArchiveFile, ...]
    doc: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def severity(self) -> tuple[int, int]:
        """Sorts manifests from the best end (0, 0) to the worst."""
        from crawler.outcome import OK_FINISH_REASONS

        reason = 0 if self.finish_reason in OK_FINISH_REASONS else 1 if self.finish_reason else 2
        return OUTCOME_RANK.get(self.outcome, 2), reason


@dataclass(frozen=True)
class Run:
    """One crawl run, from its manifests: one, or one per worker of a distributed run.

    A distributed run's workers share the run id; the run's files are all of theirs, its
    per-source counters their sums, it started with the first and ended with the last,
    and its finish reason and outcome are those of its worst worker.
    """

    run_id: str
    manifests: tuple[RunManifest, ...]
    stores: Mapping[str, str]

    @property
    def workers(self) -> tuple[str, ...]:
        """The worker ids of a distributed run (empty for a single-process run)."""
        return tuple(m.worker_id for m in self.manifests if m.worker_id)

    @property
    def started(self) -> datetime | None:
        return min((m.started for m in self.manifests if m.started), default=None)

    @property
    def finished(self) -> datetime | None:
        return max((m.finished for m in self.manifests if m.finished), default=None)

    @property
    def worst(self) -> RunManifest:
        return max(self.manifests, key=lambda m: m.severity)

    @property
    def finish_reason(self) -> str:
        return self.worst.finish_reason

    @property
    def outcome(self) -> str:
        return self.worst.outcome

    @property
    def files(self) -> tuple[ArchiveFile, ...]:
        return tuple(f for m in self.manifests for f in m.files)

    @property
    def sources(self) -> dict[str, dict[str, Any]]:
        """Per-source counters, summed over the workers (numbers only, where there are several)."""
        if len(self.manifests) == 1:
            return {n: dict(c) for n, c in self.manifests[0].sources.items()}
        out: dict[str, dict[str, Any]] = {}
        for m in self.manifests:
            for name, counters in m.sources.items():
                into = out.setdefault(name, {})
                for counter, value in counters.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        into[counter] = into.get(counter, 0) + value
        return {n: dict(sorted(c.items())) for n, c in sorted(out.items())}

    def stat_totals(self) -> dict[str, int]:
        """The integer Scrapy stats of the run's manifests, summed over the workers."""
        out: dict[str, int] = {}
        for m in self.manifests:
            for key, value in (m.doc.get("stats") or {}).items():
                if isinstance(value, int) and not isinstance(value, bool):
                    out[key] = out.get(key, 0) + value
        return out

    def count(self, counter: str, source: str | None = None) -> int:
        """A per-source counter (``articles``, ``fetched``, ...) summed over the sources."""
        sources = self.sources
        names = [source] if source else list(sources)
        return sum(int(sources.get(n, {}).get(counter, 0) or 0) for n in names)

    def files_of(self, *kinds: str) -> list[ArchiveFile]:
        return [f for f in self.files if not kinds or f.kind in kinds]


def parse_when(value: str, *, end: bool = False) -> datetime:
    """``YYYY-MM-DD`` (the whole day; ``end`` gives the day's end) or an ISO date-time (UTC if
    no zone); ValueError with the accepted forms otherwise."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, tzinfo=timezone.utc)
            return moment + timedelta(days=1) - timedelta(microseconds=1) if end else moment
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date: use YYYY-MM-DD or an ISO date-time such as "
            "2026-11-25T10:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _manifest_from_doc(key: str, doc: Mapping[str, Any]) -> RunManifest:
    run_id = str(doc["run_id"])
    worker_id = str(doc.get("worker_id") or "")
    files = tuple(
        ArchiveFile(
            run_id=run_id,
            store=str(e.get("store", "")),
            key=str(e.get("key", "")),
            size=int(e.get("size") or 0),
            sha256=str(e.get("sha256") or ""),
            records=int(e.get("records") or 0),
            kind=str(e.get("kind") or ""),
            status=str(e.get("status") or "uploaded"),
            worker_id=worker_id,
        )
        for e in doc.get("files", ())
        if e.get("store") and e.get("key")
    )
    stats = doc.get("stats") or {}
    return RunManifest(
        run_id=run_id,
        key=key,
        worker_id=worker_id,
        started=_moment(doc.get("started")),
        finished=_moment(doc.get("finished")),
        finish_reason=str(doc.get("finish_reason") or ""),
        outcome=str(stats.get("newsvault/outcome") or ""),
        sources=dict(doc.get("sources") or {}),
        files=files,
        doc=doc,
    )


def runs_from_manifests(manifests: Iterable[RunManifest]) -> list[Run]:
    """One Run per run id: the manifests of a distributed run's workers become one run."""
    by_run: dict[str, list[RunManifest]] = {}
    for m in manifests:
        by_run.setdefault(m.run_id, []).append(m)
    runs = []
    for run_id, manifests in sorted(by_run.items()):
        manifests.sort(key=lambda m: (m.worker_id, m.key))
        stores: dict[str, str] = {}
        for m in manifests:
            for name, where in (m.doc.get("stores") or {}).items():
                stores.setdefault(str(name), str(where))
        runs.append(Run(run_id=run_id, manifests=tuple(manifests), stores=stores))
    return runs


def _join(uri: str, name: str) -> str:
    return f"{uri.rstrip('/')}/{name}"


def explain(store: Store, exc: BaseException) -> str:
    """One sentence for a store error: the store's own explanation where it has one."""
    if isinstance(exc, StorageError):
        return str(exc)
    how = getattr(store, "explain", None)
    if callable(how):
        return str(how(exc))
    return f"{store.describe()}: {type(exc).__name__}: {exc}"


class Archive:
    """A newsvault archive at a URI: a root holding ``manifests/``, ``warc/``, ``json/``
    (what a crawl writes, or what `newsvault get` downloads), or a manifests store whose
    manifests name the other stores."""

    def __init__(self, uri: str, runs: list[Run], stores: dict[str, Store]) -> None:
        self.uri = uri
        self.runs = sorted(runs, key=lambda r: r.run_id)
        self._stores = stores
        self._options: Any = None

    # -- stores

    def store(self, name: str) -> Store:
        """The store holding this archive's ``name`` files (warc, json, state, manifests)."""
        if name not in self._stores:
            where = next((r.stores[name] for r in self.runs if name in r.stores), None)
            if where is None:
                raise ArchiveError(f"{self.uri}: no {name!r} store in this archive")
            self._stores[name] = store_from_uri(where, self._options)
        return self._stores[name]

    def read_range(self, file: ArchiveFile | tuple[str, str], start: int, length: int) -> bytes:
        store_name, key = (file.store, file.key) if isinstance(file, ArchiveFile) else file
        store = self.store(store_name)
        try:
            return store.read_range(key, start, length)
        except Exception as exc:
            raise ArchiveError(explain(store, exc)) from None

    def get_bytes(self, file: ArchiveFile | tuple[str, str]) -> bytes:
        store_name, key = (file.store, file.key) if isinstance(file, ArchiveFile) else file
        store = self.store(store_name)
        try:
            return store.get_bytes(key)
        except Exception as exc:
            raise ArchiveError(explain(store, exc)) from None

    # -- selection

    @property
    def sources(self) -> list[str]:
        return sorted({name for run in self.runs for name in run.sources})

    def select(
        self,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        run_ids: Iterable[str] = (),
    ) -> list[Run]:
        """Runs that crawled ``source``, overlap [since, until] and, if given, are ``run_ids``
        (a distributed run is one run: its id selects every worker's files)."""
        if source and source not in self.sources:
            known = ", ".join(self.sources) or "none"
            raise ArchiveError(f"unknown source {source!r} in {self.uri}: its runs crawled {known}")
        wanted = set(run_ids)
        unknown = sorted(wanted - {run.run_id for run in self.runs})
        if unknown:
            raise ArchiveError(
                f"no run {', '.join(unknown)} in {self.uri}: `newsvault ls {self.uri}` lists "
                "its run ids"
            )
        chosen = []
        for run in self.runs:
            if wanted and run.run_id not in wanted:
                continue
            if source and source not in run.sources:
                continue
            start = run.started or run.finished
            stop = run.finished or run.started
            if since and stop and stop < since:
                continue
            if until and start and start > until:
                continue
            chosen.append(run)
        return chosen

    def files(self, runs: Iterable[Run], kinds: Iterable[str] = ()) -> list[ArchiveFile]:
        wanted = set(kinds)
        return [f for run in runs for f in run.files if not wanted or f.kind in wanted]


def _manifest_docs(store: Store, prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for key in sorted(store.list(prefix)):
        if not key.endswith(".json") or "/" in key[len(prefix) :]:
            continue
        try:
            doc = json.loads(store.get_bytes(key))
        except ValueError:
            logger.warning("Skipping %s: not JSON", store.uri_for(key))
            continue
        if isinstance(doc, dict) and doc.get("run_id") and isinstance(doc.get("files"), list):
            yield key, doc


def open_archive(uri: str, options: Any = None) -> Archive:
    """The archive at ``uri`` (a path, file:// or s3://); ArchiveError in one sentence if it
    is unreachable or holds no run manifest."""
    if not uri or not uri.strip():
        raise ArchiveError(
            "no archive URI given: use a path, file:///abs/path or s3://bucket/prefix"
        )
    try:
        root = store_from_uri(uri, options)
    except StorageError as exc:
        raise ArchiveError(str(exc)) from None
    try:
        docs = list(_manifest_docs(root, "manifests/"))
        layout = "root"
        if not docs:
            docs = list(_manifest_docs(root, ""))
            layout = "manifests"
    except FileNotFoundError:
        docs = []
        layout = "root"
    except Exception as exc:
        raise ArchiveError(explain(root, exc)) from None
    if not docs:
        raise ArchiveError(
            f"{root.describe()} is not a newsvault archive: no run manifest in manifests/ "
            "(give the directory or s3:// prefix that holds warc/, json/ and manifests/)"
        )
    stores: dict[str, Store] = {}
    if layout == "root":
        for name in STORE_NAMES:
            stores[name] = store_from_uri(_join(uri, name), options)
    else:
        stores["manifests"] = root
    manifests = []
    for key, doc in docs:
        try:
            manifests.append(_manifest_from_doc(key if layout == "manifests" else key[10:], doc))
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveError(f"{root.uri_for(key)}: not a valid run manifest ({exc})") from None
    runs = runs_from_manifests(manifests)
    archive = Archive(uri, runs, stores)
    archive._options = options
    return archive
