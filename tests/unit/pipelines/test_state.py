"""The incremental state index: lookups, aliases, digests, reopen, persistence via the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import Article, ArticleItem, Provenance
from pipelines.state import STATE_KEY, StateError, StateExtension, StateIndex, StatePipeline
from pipelines.storage import FileStore, Uploader, UploaderConfig


def test_mark_and_lookup(tmp_path):
    state = StateIndex(tmp_path / "s.sqlite", run_id="r1").open()
    assert not state.is_known("https://n.example/a")
    state.mark_archived("https://n.example/a", "https://n.example/a?x", "sha1:AAA", None, "t1")
    assert state.is_known("https://n.example/a")
    assert state.known_published("https://n.example/a") is None
    # An update keeps a known publication date when the new one is missing.
    state.mark_archived("https://n.example/a", "u", "sha1:BBB", "2024-03-07T00:00:00Z", "t2")
    state.mark_archived("https://n.example/a", "u", "sha1:CCC", None, "t3")
    assert state.known_published("https://n.example/a") == "2024-03-07T00:00:00Z"
    assert state.known_article("https://n.example/a") == ("2024-03-07T00:00:00Z", "t3")
    assert state.known_article("https://n.example/b") is None
    assert state.count() == 1
    state.close()
    assert not state.is_known("https://n.example/a")  # closed: answers "unknown"
    with pytest.raises(StateError):
        state.open()


def test_aliases_count_only_for_archived_articles(tmp_path):
    state = StateIndex(tmp_path / "s.sqlite").open()
    state.mark_alias("https://n.example/old-url", "https://n.example/a")
    assert not state.is_known("https://n.example/old-url")  # target not archived yet
    state.mark_archived("https://n.example/a", "https://n.example/a", None, "2024-01-01", "t")
    assert state.is_known("https://n.example/old-url")
    assert state.known_published("https://n.example/old-url") == "2024-01-01"
    state.mark_alias("https://n.example/a", "https://n.example/a")  # self-alias ignored
    state.close()


def test_digests_first_record_wins(tmp_path):
    state = StateIndex(tmp_path / "s.sqlite").open()
    assert state.lookup_digest("sha1:X") is None
    state.record_digest("sha1:X", "https://n.example/a", "2024-03-07T10:00:00Z")
    state.record_digest("sha1:X", "https://n.example/b", "2024-03-08T10:00:00Z")
    assert state.lookup_digest("sha1:X") == ("https://n.example/a", "2024-03-07T10:00:00Z")
    state.close()


def test_reopen_keeps_everything_and_file_is_complete_without_wal(tmp_path):
    path = tmp_path / "s.sqlite"
    state = StateIndex(path, run_id="r1").open()
    state.mark_archived("https://n.example/a", "https://n.example/a", "sha1:A", None, "t")
    state.record_digest("sha1:A", "https://n.example/a", "d")
    state.close()
    # After close the database file alone holds everything (the WAL was folded in).
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())
    again = StateIndex(copy, run_id="r2").open()
    assert again.source == "local"
    assert again.is_known("https://n.example/a")
    assert again.lookup_digest("sha1:A") == ("https://n.example/a", "d")
    again.close()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT run_id FROM articles").fetchone() == ("r1",)


def test_many_rows(tmp_path):
    state = StateIndex(tmp_path / "s.sqlite").open()
    n = 100_000
    for i in range(n):
        state.mark_archived(f"https://n.example/a/{i}", f"https://n.example/a/{i}", None, None, "t")
    assert state.count() == n
    assert state.is_known("https://n.example/a/0")
    assert state.is_known(f"https://n.example/a/{n - 1}")
    assert not state.is_known(f"https://n.example/a/{n}")
    state.close()


def test_unusable_file_is_reported(tmp_path):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="not a usable sqlite database"):
        StateIndex(path).open()


def _article_item(url: str, canonical: str, aliases: tuple[str, ...]) -> ArticleItem:
    extracted = {
        "url": url,
        "canonical_url": canonical,
        "title": None,
        "authors": [],
        "published": "2024-03-07T10:00:00Z",
        "modified": None,
        "date_source": None,
        "language": None,
        "description": None,
        "section": None,
        "tags": [],
        "image": None,
        "site_name": None,
        "text": "t",
        "word_count": 1,
        "comments": [],
        "comments_status": None,
        "comments_method": None,
    }
    provenance = Provenance(
        "run", None, None, None, None, None, "sha1:P", "2024-03-08T00:00:00Z", "nv", "v", "h"
    )
    article = Article.from_extracted(
        extracted, source="s", fetched_at="2024-03-08T00:00:00Z", provenance=provenance
    )
    return ArticleItem(article, aliases)


def test_pipeline_marks_items_in_canonical_form(tmp_path):
    state = StateIndex(tmp_path / "s.sqlite").open()
    pipeline = StatePipeline(state)
    item = _article_item(
        "https://n.example/story?id=1",
        "HTTPS://N.example/story?id=1&utm_source=x#top",
        ("https://n.example/r/2", "https://n.example/r/1"),
    )
    assert pipeline.process_item(item) is item.article
    assert state.is_known("https://n.example/story?id=1")
    assert state.is_known("https://n.example/r/1")
    assert state.is_known("https://n.example/r/2")
    assert state.known_published("https://n.example/story?id=1") == "2024-03-07T10:00:00Z"
    assert pipeline.process_item({"no": "canonical"}) == {"no": "canonical"}
    state.close()


def _crawler(tmp_path: Path, spool: str):
    return get_crawler(
        settings_dict={
            "ARCHIVE_STORAGE_SPOOL": str(tmp_path / spool),
            "ARCHIVE_STORAGE_STATE": (tmp_path / "store" / "state").as_uri(),
            "ARCHIVE_STORAGE_WARC": str(tmp_path / "store" / "warc"),
            "ARCHIVE_STORAGE_JSON": str(tmp_path / "store" / "json"),
            "ARCHIVE_STORAGE_MANIFESTS": str(tmp_path / "store" / "manifests"),
        }
    )


def _ship(crawler, owner: StateExtension) -> list:
    """What the crawl's UploadExtension does at engine_stopped, with the owner's close hook."""
    uploader = Uploader(
        UploaderConfig.from_settings(crawler.settings), store_options=crawler.settings
    )
    uploader.add_close_hook(owner.ship)
    return uploader.finish(timeout=30)


def test_state_travels_through_the_store_to_a_fresh_machine(tmp_path):
    crawler = _crawler(tmp_path, "spool-a")
    owner = StateExtension.from_crawler(crawler)
    state = owner.index
    state.open()
    assert state.source == "new"
    state.mark_archived("https://n.example/a", "https://n.example/a", "sha1:A", None, "t")
    state.record_digest("sha1:A", "https://n.example/a", "2024-03-07T00:00:00Z")
    pending = _ship(crawler, owner)  # runs the close hook, ships the file
    assert pending == []
    store = FileStore.from_uri((tmp_path / "store" / "state").as_uri())
    assert store.exists(STATE_KEY)
    assert not (tmp_path / "spool-a" / "state" / STATE_KEY).exists()  # handed over

    # A new run with an empty spool (another machine) downloads it.
    fresh = StateExtension.from_crawler(_crawler(tmp_path, "spool-b")).index.open()
    assert fresh.source == "remote"
    assert fresh.is_known("https://n.example/a")
    assert fresh.lookup_digest("sha1:A") == ("https://n.example/a", "2024-03-07T00:00:00Z")
    fresh.close()


def test_unshipped_leftover_wins_over_the_store(tmp_path):
    # Run 1 ships a state with article a.
    crawler = _crawler(tmp_path, "spool")
    owner = StateExtension.from_crawler(crawler)
    state = owner.index.open()
    state.mark_archived("https://n.example/a", "https://n.example/a", None, None, "t")
    assert _ship(crawler, owner) == []
    # Run 2 records b, but its upload never happened: the file waits in spool/ready.
    crawler2 = _crawler(tmp_path, "spool")
    state2 = StateExtension.from_crawler(crawler2).index.open()
    state2.mark_archived("https://n.example/b", "https://n.example/b", None, None, "t")
    state2.close()
    leftover = tmp_path / "spool" / "ready" / "state" / STATE_KEY
    leftover.parent.mkdir(parents=True, exist_ok=True)
    state2.path.replace(leftover)
    # Run 3 starts from the leftover, which knows both.
    state3 = StateExtension.from_crawler(_crawler(tmp_path, "spool")).index.open()
    assert state3.is_known("https://n.example/a") and state3.is_known("https://n.example/b")
    state3.close()
