"""Incremental crawl state: an sqlite index of archived articles and payload digests.

The index lives in the spool (``spool/state/state.sqlite``, WAL mode) while a crawl runs,
and in the archive's own state store between runs (``state-RUN_ID.sqlite`` under
``storage.state``, one per run: each run manifest's size and sha256 of it stay true), so a
nightly run on a fresh machine still knows what was archived; each worker of a
distributed crawl keeps its own file and merges the others'. Memory stays
bounded whatever the number of URLs: lookups go to sqlite's B-trees, not a Python set.

One concern, kept whole: the incremental state, from its sqlite index to where it is kept
between runs and the Scrapy components that own and fill it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.config import settings_value
from crawler.discovery.urls import canonicalize_url
from crawler.items import ArticleItem, PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The state of runs before state was versioned (still read when no versioned one exists).
STATE_KEY = "state.sqlite"
STATE_STORE = "state"
SCHEMA_VERSION = 1
#: Writes are committed in batches; reads on the same connection see them at once.
COMMIT_EVERY = 1000
COMMIT_INTERVAL = 5.0
DOWNLOAD_CHUNK = 8 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    canonical_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    payload_digest TEXT,
    published TEXT,
    fetched_at TEXT,
    run_id TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS digests (
    payload_digest TEXT PRIMARY KEY,
    uri TEXT NOT NULL,
    warc_date TEXT NOT NULL
) WITHOUT ROWID;
-- Other URLs (redirect sources, duplicates) that turned out to be an archived article.
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL
) WITHOUT ROWID;
-- Child sitemaps read completely, with the lastmod their index gave then.
CREATE TABLE IF NOT EXISTS sitemaps (
    url TEXT PRIMARY KEY,
    lastmod TEXT NOT NULL
) WITHOUT ROWID;
"""


def state_key(run_id: str, worker_id: str = "") -> str:
    """Each run stores its own copy, so every manifest's sha256 of it stays true.

    Each worker of a distributed run (``ARCHIVE_WORKER_ID``) stores its own:
    ``state-RUN_ID~WORKER.sqlite``.
    """
    if not run_id:
        return STATE_KEY
    return f"state-{run_id}~{worker_id}.sqlite" if worker_id else f"state-{run_id}.sqlite"


def _run_of(key: str) -> str:
    return key[len("state-") : -len(".sqlite")].split("~", 1)[0]


def newest_state_key(keys: Iterable[str]) -> str | None:
    """The latest run's state among ``keys`` (run ids sort by time); else the legacy key."""
    keys = list(keys)
    versioned = sorted(
        k for k in keys if k.startswith("state-") and k.endswith(".sqlite") and "/" not in k
    )
    if versioned:
        return versioned[-1]
    return STATE_KEY if STATE_KEY in keys else None


def newest_state_keys(keys: Iterable[str]) -> list[str]:
    """Every state file of the latest run: one, or one per worker of a distributed run."""
    keys = list(keys)
    newest = newest_state_key(keys)
    if newest is None or newest == STATE_KEY:
        return [newest] if newest else []
    run = _run_of(newest)
    return sorted(
        k
        for k in keys
        if k.startswith("state-") and k.endswith(".sqlite") and "/" not in k and _run_of(k) == run
    )


# Rows another state file knows: articles keep the later fetch, the rest the first seen.
_MERGE = """
INSERT INTO articles SELECT * FROM other.articles WHERE true
  ON CONFLICT (canonical_url) DO UPDATE SET
    url = excluded.url, payload_digest = excluded.payload_digest,
    published = COALESCE(excluded.published, articles.published),
    fetched_at = excluded.fetched_at, run_id = excluded.run_id
  WHERE excluded.fetched_at > COALESCE(articles.fetched_at, '');
INSERT OR IGNORE INTO digests SELECT * FROM other.digests;
INSERT OR IGNORE INTO aliases SELECT * FROM other.aliases;
INSERT OR IGNORE INTO sitemaps SELECT * FROM other.sitemaps;
"""


def merge_state(dest: Path, other: Path) -> None:
    """Fold the state file ``other`` into ``dest`` (both newsvault state databases)."""
    conn = sqlite3.connect(dest, isolation_level=None)
    try:
        conn.executescript(_SCHEMA)
        conn.execute("ATTACH DATABASE ? AS other", (str(other),))
        conn.executescript(f"BEGIN; {_MERGE} COMMIT;")
        conn.execute("DETACH DATABASE other")
    finally:
        conn.close()


class StateError(RuntimeError):
    """The state index cannot be opened or fetched."""


class StateIndex:
    """Known articles and payload digests, on sqlite. Thread-safe; cheap per call.

    ``open()`` is blocking (it may download the previous state); everything else is a
    local sqlite call and fine on the reactor thread.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        run_id: str = "",
        fetch: Callable[[Path], bool] | None = None,
    ) -> None:
        self.path = Path(path)
        self.run_id = run_id  # the crawl's ARCHIVE_RUN_ID, written to each article row
        self._fetch = fetch
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self.was_opened = False
        self.unsaved = False  # the last close could not save (disk full)
        self.write_failed = False  # a write failed (disk full): later writes are dropped
        #: called with (path, error) when a write fails; True means "handled, carry on
        #: without writing" (the crawl is stopping), False re-raises
        self.on_write_error: Callable[[Path, BaseException], bool] | None = None
        self._pending = 0
        self._last_commit = time.monotonic()
        self.source = ""  # where the state came from: "remote", "local", "new"

    # -- lifecycle -------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def open(self) -> StateIndex:
        """Open the index (idempotent), first fetching the previous state if there is none here."""
        with self._lock:
            if self._conn is not None:
                return self
            if self._closed:
                raise StateError(f"state index {self.path} was already closed")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                self.source = "local"
            elif self._fetch is not None and self._fetch(self.path):
                self.source = "remote"
            else:
                self.source = "new"
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                # 2 MB page cache: it fills as the index grows, and a larger one was a
                # steady share of a long crawl's growth; the OS caches the file anyway
                conn.execute("PRAGMA cache_size=-2000")
                conn.execute("PRAGMA temp_store=FILE")
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                conn.execute("BEGIN")
            except sqlite3.DatabaseError as exc:
                conn.close()
                raise StateError(
                    f"state index {self.path} is not a usable sqlite database ({exc}); "
                    "move it away to start with empty state"
                ) from exc
            self._conn = conn
            self.was_opened = True
            logger.info(
                "State index %s opened (%s): %d known articles",
                self.path,
                self.source,
                self.count(),
            )
            return self

    def _db(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._closed:
            self.open()
        return self._conn

    def _write(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> None:
        """Run one write; after a failed write to a full disk, drop writes (see on_write_error)."""
        if self.write_failed:
            return
        try:
            conn.execute(sql, params)
            self._wrote()
        except sqlite3.OperationalError as exc:
            if self.on_write_error is None or not self.on_write_error(self.path, exc):
                raise
            self.write_failed = True
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            with contextlib.suppress(sqlite3.Error):
                conn.execute("BEGIN")

    def _wrote(self) -> None:
        self._pending += 1
        now = time.monotonic()
        if self._pending >= COMMIT_EVERY or now - self._last_commit >= COMMIT_INTERVAL:
            self._commit()

    def _commit(self) -> None:
        conn = self._conn
        if conn is None:
            return
        if conn.in_transaction:
            conn.execute("COMMIT")
        conn.execute("BEGIN")
        self._pending = 0
        self._last_commit = time.monotonic()

    def checkpoint(self) -> None:
        """Commit and fold the WAL into the database file, so the file alone is complete."""
        with self._lock:
            conn = self._conn
            if conn is None:
                return
            if conn.in_transaction:
                conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("BEGIN")

    def close(self) -> None:
        """Checkpoint and close; afterwards lookups answer "unknown" and writes are dropped."""
        with self._lock:
            conn = self._conn
            self._conn = None
            self._closed = True
            if conn is None:
                return
            try:
                if conn.in_transaction:
                    conn.execute("COMMIT")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as exc:
                # disk full: SQLite rolled the last transaction back and the file is
                # consistent; it stays in the spool and the next run uses it (the
                # articles of that transaction are fetched again)
                self.unsaved = True
                logger.warning(
                    "State index %s keeps its last changes unsaved (%s); it stays in the spool",
                    self.path,
                    exc,
                )
                return
            finally:
                conn.close()
            logger.info("State index %s closed", self.path)

    # -- articles --------------------------------------------------------------

    def is_known(self, canonical_url: str) -> bool:
        """Was this article (or a URL known to lead to it) archived before?"""
        with self._lock:
            conn = self._db()
            if conn is None:
                return False
            row = conn.execute(
                "SELECT 1 FROM articles WHERE canonical_url = ?", (canonical_url,)
            ).fetchone()
            if row is None:
                row = conn.execute(
                    "SELECT 1 FROM aliases JOIN articles USING (canonical_url) "
                    "WHERE aliases.url = ?",
                    (canonical_url,),
                ).fetchone()
            return row is not None

    def known_published(self, canonical_url: str) -> str | None:
        """The publication date recorded for a known article (or its alias), if any."""
        known = self.known_article(canonical_url)
        return known[0] if known else None

    def known_article(self, canonical_url: str) -> tuple[str | None, str | None] | None:
        """``(published, fetched_at)`` of a known article (or its alias); None if unknown."""
        with self._lock:
            conn = self._db()
            if conn is None:
                return None
            row = conn.execute(
                "SELECT published, fetched_at FROM articles WHERE canonical_url = ? UNION ALL "
                "SELECT a.published, a.fetched_at FROM aliases JOIN articles a "
                "USING (canonical_url) WHERE aliases.url = ? LIMIT 1",
                (canonical_url, canonical_url),
            ).fetchone()
            return (row[0], row[1]) if row else None

    def mark_archived(
        self,
        canonical_url: str,
        url: str,
        payload_digest: str | None,
        published: str | None,
        fetched_at: str | None,
    ) -> None:
        """Record (or update) an archived article."""
        with self._lock:
            conn = self._db()
            if conn is None:
                logger.warning("State index closed; not recording %s", canonical_url)
                return
            self._write(
                conn,
                "INSERT INTO articles (canonical_url, url, payload_digest, published, fetched_at,"
                " run_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (canonical_url) DO UPDATE SET"
                " url = excluded.url, payload_digest = excluded.payload_digest,"
                " published = COALESCE(excluded.published, articles.published),"
                " fetched_at = excluded.fetched_at, run_id = excluded.run_id",
                (canonical_url, url, payload_digest, published, fetched_at, self.run_id),
            )

    def mark_alias(self, url: str, canonical_url: str) -> None:
        """Remember that ``url`` (canonicalised) is another address of ``canonical_url``."""
        if not url or url == canonical_url:
            return
        with self._lock:
            conn = self._db()
            if conn is None:
                return
            self._write(
                conn,
                "INSERT OR REPLACE INTO aliases (url, canonical_url) VALUES (?, ?)",
                (url, canonical_url),
            )

    def sitemap_lastmod(self, url: str) -> str | None:
        """The index's lastmod for a child sitemap when an earlier run read all of it."""
        with self._lock:
            conn = self._db()
            if conn is None:
                return None
            row = conn.execute("SELECT lastmod FROM sitemaps WHERE url = ?", (url,)).fetchone()
            return row[0] if row else None

    def record_sitemap(self, url: str, lastmod: str) -> None:
        """Remember that the sitemap at ``url`` (as of ``lastmod``) was read completely."""
        with self._lock:
            conn = self._db()
            if conn is None:
                return
            self._write(
                conn, "INSERT OR REPLACE INTO sitemaps (url, lastmod) VALUES (?, ?)", (url, lastmod)
            )

    def count(self) -> int:
        with self._lock:
            conn = self._db()
            if conn is None:
                return 0
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- payload digests (WARC revisits across runs) ---------------------------

    def lookup_digest(self, digest: str) -> tuple[str, str] | None:
        """``(uri, warc_date)`` of the first record with this payload digest, if any."""
        with self._lock:
            conn = self._db()
            if conn is None:
                return None
            row = conn.execute(
                "SELECT uri, warc_date FROM digests WHERE payload_digest = ?", (digest,)
            ).fetchone()
            return (row[0], row[1]) if row else None

    def record_digest(self, digest: str, uri: str, warc_date: str) -> None:
        """Remember the first record of a payload; later ones become revisits of it."""
        with self._lock:
            conn = self._db()
            if conn is None:
                return
            self._write(
                conn,
                "INSERT OR IGNORE INTO digests (payload_digest, uri, warc_date) VALUES (?, ?, ?)",
                (digest, uri, warc_date),
            )


# --------------------------------------------------------------------------- persistence


@dataclass(frozen=True)
class StateConfig:
    """Where the index lives locally and remotely; built from crawler settings."""

    spool: Path
    store_uri: str
    run_id: str = ""
    worker_id: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> StateConfig:
        return cls(
            spool=Path(str(settings_value(settings, "ARCHIVE_STORAGE_SPOOL"))),
            store_uri=str(settings_value(settings, "ARCHIVE_STORAGE_STATE")),
            run_id=str(settings.get("ARCHIVE_RUN_ID") or ""),
            worker_id=str(settings.get("ARCHIVE_WORKER_ID") or ""),
        )

    @property
    def key(self) -> str:
        """This run's (this worker's) key in the state store."""
        return state_key(self.run_id, self.worker_id)

    @property
    def local_path(self) -> Path:
        return self.spool / "state" / STATE_KEY

    @property
    def leftover_path(self) -> Path | None:
        """The newest state file an earlier run handed to the uploader that was never shipped."""
        ready = self.spool / "ready" / STATE_STORE
        if not ready.is_dir():
            return None
        key = newest_state_key(p.name for p in ready.iterdir() if p.is_file())
        return ready / key if key else None


def fetch_state(config: StateConfig, store_options: Any = None) -> Callable[[Path], bool]:
    """A fetcher for :class:`StateIndex`: the newest previous state into ``dest``.

    Precedence: an unshipped leftover in ``spool/ready`` (newest), then the copy in the
    state store. The latest run's files of the other workers of a distributed run are
    merged in, so what any worker archived is known. Downloads in chunks, so a large
    index never sits in memory.
    """

    def download(store: Any, key: str, dest: Path) -> int:
        tmp = dest.with_name(dest.name + ".part")
        size = int(store.size(key))
        with open(tmp, "wb") as out:
            offset = 0
            while offset < size:
                chunk = store.read_range(key, offset, min(DOWNLOAD_CHUNK, size - offset))
                if not chunk:
                    raise StateError(f"state download from {config.store_uri} stopped early")
                out.write(chunk)
                offset += len(chunk)
        os.replace(tmp, dest)
        return size

    def fetch(dest: Path) -> bool:
        found = False
        leftover = config.leftover_path
        if leftover is not None and leftover.exists():
            tmp = dest.with_name(dest.name + ".part")
            try:
                shutil.copyfile(leftover, tmp)
                os.replace(tmp, dest)
                logger.info("State taken from %s, which was waiting for upload", leftover)
                found = True
            except FileNotFoundError:
                pass  # shipped meanwhile: the store has it now
        from pipelines.storage import StorageError, store_from_uri

        try:
            store = store_from_uri(config.store_uri, store_options)
            keys = list(store.list("state-"))
            if store.exists(STATE_KEY):
                keys.append(STATE_KEY)
            for key in newest_state_keys(keys):
                if found and leftover is not None and key == leftover.name:
                    continue
                if not found:
                    size = download(store, key, dest)
                    logger.info("State downloaded from %s (%d bytes)", store.uri_for(key), size)
                    found = True
                    continue
                if not config.worker_id and leftover is not None:
                    break  # a single-process crawl's own leftover is the newest state
                part = dest.with_name(f"{dest.name}.other")
                download(store, key, part)
                merge_state(dest, part)
                part.unlink()
                logger.info("State of %s merged in", store.uri_for(key))
        except StorageError as exc:
            raise StateError(
                f"cannot read the previous state from {config.store_uri}: {exc}"
            ) from exc
        if not found:
            logger.info("No previous state in %s: starting afresh", config.store_uri)
        return found

    return fetch


class StateExtension:
    """The one owner of the crawl's state index: builds, opens, closes and ships it.

    Opened at ``spider_opened`` (in a thread: it may download the previous state), after
    the storage check, so a crawl whose stores are unusable never touches it; shipped to
    the state store by an uploader close hook, after every producer has written its last
    row; closed at ``engine_stopped`` in every case. Other components reach the index
    through ``crawler.get_extension(StateExtension).index``.
    """

    def __init__(self, crawler: Crawler, config: StateConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.index = StateIndex(
            config.local_path, run_id=config.run_id, fetch=fetch_state(config, crawler.settings)
        )
        self.index.on_write_error = self._write_error

    def _write_error(self, path: Path, exc: BaseException) -> bool:
        from pipelines import spoolguard

        if not spoolguard.is_write_error(exc):
            return False
        spoolguard.spool_write_failed(self.crawler, path, exc)
        return True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateExtension:
        from scrapy import signals

        ext = cls(crawler, StateConfig.from_settings(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    async def spider_opened(self, spider: Any = None) -> None:
        from scrapy.exceptions import CloseSpider
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        from pipelines.storage import UploadExtension

        upload = self.crawler.get_extension(UploadExtension)
        if upload is not None:
            if not await upload.wait_checked():
                return  # the crawl is closing for its stores; leave the state alone
            upload.uploader.add_close_hook(self.ship)
        try:
            # Even without incremental skipping the state is kept for later runs.
            await maybe_deferred_to_future(deferToThread(self.index.open))
        except Exception as exc:
            # Crawling on without it would re-fetch everything archived before.
            logger.error("Cannot open the crawl state, stopping: %s", exc)
            raise CloseSpider("state_unavailable") from None

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.index.is_open and self.crawler.stats is not None:
            self.crawler.stats.set_value("newsvault/state/articles_known", self.index.count())

    def ship(self, uploader: Any) -> None:
        """Uploader close hook (its thread), after every spider_closed handler has run."""
        self.index.close()
        if self.index.unsaved:
            return
        if self.index.was_opened and self.index.path.exists():
            uploader.submit(self.index.path, STATE_STORE, self.config.key, kind="state")

    def engine_stopped(self) -> None:
        # If storage never started, the hook above does not run: keep the index
        # consistent on disk in the spool, where the next run picks it up.
        self.index.close()


# --------------------------------------------------------------------------- pipeline


class StatePipeline:
    """Last item pipeline: records each written article (and its aliases) in the state index.

    It passes on the published ``Article`` alone, so feed exports (``scrapy crawl news -O
    articles.jsonl``) get exactly the JSON of the archive's shards.
    """

    def __init__(self, state: StateIndex, stats: Any = None) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatePipeline:
        from scrapy.exceptions import NotConfigured

        ext = crawler.get_extension(StateExtension)
        if ext is None:
            raise NotConfigured("StateExtension is not enabled: no state index to record in")
        return cls(ext.index, crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            # Archive-only crawl (no extraction): the page is known by its archived response.
            self._mark_page(item)
            return item
        if not isinstance(item, ArticleItem):
            return item
        article = item.article
        # The spider looks URLs up in the discovery package's canonical form.
        canonical = canonicalize_url(article.canonical_url) or article.canonical_url
        self.state.mark_archived(
            canonical_url=canonical,
            url=article.url or article.canonical_url,
            payload_digest=article.provenance.payload_digest,
            published=article.published,
            fetched_at=article.fetched_at,
        )
        for other in item.aliases:
            self.state.mark_alias(canonicalize_url(other), canonical)
        if self.stats is not None:
            self.stats.inc_value("newsvault/state/marked")
        return article

    def _mark_page(self, item: PageItem) -> None:
        discovery = item.discovery or {}
        canonical = canonicalize_url(str(discovery.get("canonical") or item.url)) or item.url
        published = discovery.get("published")
        self.state.mark_archived(
            canonical_url=canonical,
            url=item.url,
            payload_digest=(item.warc or {}).get("payload_digest"),
            published=str(published) if published else None,
            fetched_at=item.fetched_at,
        )
        # redirect sources, non-canonical URLs, an article's further pages
        for other in {item.url, item.request_url, *(part.url for part in item.parts)}:
            self.state.mark_alias(canonicalize_url(other), canonical)
        if self.stats is not None:
            self.stats.inc_value("newsvault/state/marked")
