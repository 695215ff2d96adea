"""The extraction pipeline: the process pool, provenance, crashes and timeouts, the crawl process kept light."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.extract import EXTRACTOR_NAME, ExtractionOptions, extractor_version
from crawler.items import ArticleItem, PageItem
from pipelines.extraction import ExtractionPipeline, ExtractionPoolConfig
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    TITLE,
    URL,
    article_html,
)

ROOT = Path(__file__).resolve().parents[3]


def _crash_job(*args: Any) -> dict[str, Any]:
    os._exit(3)


def _slow_job(*args: Any) -> dict[str, Any]:
    time.sleep(30)
    return {}


def make_item(body: bytes, url: str = URL) -> PageItem:
    return PageItem(
        url=url,
        request_url=url,
        status=200,
        body=body,
        encoding="utf-8",
        content_type="text/html; charset=utf-8",
        source="daily",
        fetched_at="2024-05-14T12:00:00+00:00",
        discovery={"via": "feed", "published": "2024-05-14T07:00:00+00:00"},
        warc={
            "warc_file": "NV-20240514-00000.warc.gz",
            "record_id": "<urn:uuid:0d7b1f1e-0000-4000-8000-000000000001>",
            "offset": 1234,
            "length": 5678,
            "warc_date": "2024-05-14T12:00:00Z",
            "payload_digest": "sha1:ABCDEF",
            "revisit": False,
        },
    )


def make_pipeline(**settings: Any) -> tuple[ExtractionPipeline, Any]:
    crawler = get_crawler(settings_dict={"ARCHIVE_EXTRACTION_WORKERS": 1, **settings})
    return ExtractionPipeline.from_crawler(crawler), crawler.stats


def test_config_from_settings() -> None:
    crawler = get_crawler(
        settings_dict={
            "ARCHIVE_EXTRACTION_WORKERS": 3,
            "ARCHIVE_EXTRACTION_TIMEOUT": "12.5",
            "ARCHIVE_EXTRACTION_COMMENTS": False,
        }
    )
    config = ExtractionPoolConfig.from_settings(crawler.settings)
    assert (config.workers, config.timeout, config.comments, config.pool_size) == (
        3,
        12.5,
        False,
        3,
    )
    assert ExtractionPoolConfig(workers=0).pool_size >= 1


@pytest.mark.timeout(120)
def test_pipeline_extracts_in_pool_with_provenance_and_survives_crash_and_timeout() -> None:
    pipeline, stats = make_pipeline(ARCHIVE_EXTRACTION_TIMEOUT=20, ARCHIVE_RUN_ID="run-1")

    async def scenario() -> ArticleItem:
        await pipeline.open_spider()
        try:
            good = await pipeline.process_item(make_item(article_html(head=JSONLD_HEAD).encode()))
            assert await pipeline.process_item({"not": "a page"}) == {"not": "a page"}
            pdf = make_item(b"%PDF-1.4")
            pdf.content_type = "application/pdf"
            with pytest.raises(DropItem, match="not an HTML page"):
                await pipeline.process_item(pdf)

            with pytest.raises(DropItem, match="no article text") as dropped:
                await pipeline.process_item(
                    make_item(b"<html><head><title>t</title></head><body><div></div></body></html>")
                )
            # an expected outcome: logged at INFO, one line, without the page body
            assert dropped.value.log_level == "INFO"
            assert "body" not in repr(make_item(b"<html>" + b"x" * 5000))

            # max_age_days applies again to the date that extraction found (2024-05-14)
            old = make_item(article_html(head=JSONLD_HEAD).encode())
            old.discovery = {"via": "section", "max_age_days": 30}
            with pytest.raises(DropItem, match="older than max_age_days"):
                await pipeline.process_item(old)

            pipeline.job = _crash_job  # type: ignore[assignment]
            with pytest.raises(DropItem, match="crashed"):
                await pipeline.process_item(make_item(b"<html><body><p>x</p></body></html>"))

            pipeline.job = _slow_job  # type: ignore[assignment]
            object.__setattr__(pipeline.config, "timeout", 1.0)
            with pytest.raises(DropItem, match="timed out"):
                await pipeline.process_item(make_item(b"<html><body><p>x</p></body></html>"))

            # the crawl goes on with a rebuilt pool (whose start-up the 1 s would not cover)
            pipeline.job = ExtractionPipeline.job
            object.__setattr__(pipeline.config, "timeout", 20.0)
            again = await pipeline.process_item(make_item(article_html().encode()))
            assert again.article.text
            return good
        finally:
            await pipeline.close_spider()

    item = asyncio.run(scenario())
    good = item.article.to_dict()
    assert good["title"] == TITLE
    assert good["published"] == "2024-05-14T08:30:00+02:00"
    assert good["source"] == "daily"
    assert good["fetched_at"] == "2024-05-14T12:00:00+00:00"
    # how the page was found and under which URL stays out of the published JSON ...
    assert "discovery" not in good and "request_url" not in good and "is_article" not in good
    # ... the state index still learns every address it was reached under
    assert URL in item.aliases
    provenance = good["provenance"]
    assert provenance["run_id"] == "run-1"
    assert provenance["warc_file"] == "NV-20240514-00000.warc.gz"
    assert (provenance["offset"], provenance["length"]) == (1234, 5678)
    assert provenance["record_id"].startswith("<urn:uuid:")
    assert provenance["extractor"] == EXTRACTOR_NAME
    assert provenance["extractor_version"] == extractor_version()
    assert provenance["settings_hash"] == ExtractionOptions(timeout_s=20).settings_hash()
    assert stats.get_value("newsvault/extract/articles") == 2
    assert stats.get_value("newsvault/extract/no_text") == 1
    assert stats.get_value("newsvault/extract/errors") == 1
    assert stats.get_value("newsvault/extract/timeouts") == 1
    assert stats.get_value("newsvault/extract/not_html") == 1
    assert stats.get_value("newsvault/extract/too_old") == 1
    assert stats.get_value("newsvault/source/daily/filtered_age") == 1
    assert pipeline._pool is None  # shut down at close


def test_pipeline_does_not_import_trafilatura_in_the_crawl_process() -> None:
    code = (
        "import sys; import pipelines.extraction, crawler.extract; "
        "sys.exit(1 if 'trafilatura' in sys.modules else 0)"
    )
    import subprocess

    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


@pytest.mark.timeout(180)
def test_a_worker_over_its_memory_limit_is_replaced_and_the_crawl_goes_on(caplog) -> None:
    """A page that really takes a worker over max_worker_mb: counted, logged, worker replaced.

    The page (26 MB of paragraphs) needs ~1 GB to extract; the limit is 256 MB. A good
    page extracted beside it on the other worker is not lost, and the page after it is
    extracted by a fresh worker.
    """
    pipeline, stats = make_pipeline(
        ARCHIVE_EXTRACTION_WORKERS=2,
        ARCHIVE_EXTRACTION_MAX_WORKER_MB=256,
        ARCHIVE_EXTRACTION_MAX_HTML_MB=100,
    )
    paragraph = b"<p>" + b"word " * 50 + b"</p>\n"
    huge = b"<html><body><article>" + paragraph * 100_000 + b"</article></body></html>"
    huge_url = "https://news.example/hostile/huge"
    good = article_html(head=JSONLD_HEAD).encode()

    async def scenario() -> tuple[list[Any], set[int], set[int]]:
        await pipeline.open_spider()
        try:
            assert pipeline._pool is not None
            first_pids = set()
            while len(first_pids) < 2:  # both workers up
                await asyncio.sleep(0.1)
                first_pids = pipeline._pool.pids()
            outcomes = await asyncio.gather(
                pipeline.process_item(make_item(huge, url=huge_url)),
                pipeline.process_item(make_item(good)),
                return_exceptions=True,
            )
            after = await pipeline.process_item(make_item(good))
            assert after.article.text
            assert pipeline._pool is not None
            return outcomes, first_pids, pipeline._pool.pids()
        finally:
            await pipeline.close_spider()

    (dropped, beside), first_pids, new_pids = asyncio.run(scenario())
    assert isinstance(dropped, DropItem) and "memory limit" in str(dropped)
    over = dropped.__cause__
    assert over is not None and over.pid in first_pids  # type: ignore[attr-defined]
    assert isinstance(beside, ArticleItem) and beside.article.text
    assert not new_pids & first_pids  # fresh workers
    assert not _alive(over.pid)  # type: ignore[attr-defined]
    assert stats.get_value("newsvault/extract/worker_memory") == 1
    assert stats.get_value("newsvault/extract/errors") == 1
    assert stats.get_value("newsvault/extract/workers_recycled") == 1
    assert stats.get_value("newsvault/extract/articles") == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len([w for w in warnings if huge_url in w]) == 1, warnings
    assert pipeline._generation == 2


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_binary_and_oversized_pages_are_not_sent_to_the_workers(caplog) -> None:
    pipeline, stats = make_pipeline(ARCHIVE_EXTRACTION_MAX_HTML_MB=1)

    async def scenario() -> None:
        await pipeline.open_spider()
        try:
            with pytest.raises(DropItem, match="binary"):
                await pipeline.process_item(make_item(bytes(range(256)) * 100))
            with pytest.raises(DropItem, match="over the 1 MB extraction limit"):
                await pipeline.process_item(make_item(b"<p>x</p>" * 200_000))
        finally:
            await pipeline.close_spider()

    asyncio.run(scenario())
    assert stats.get_value("newsvault/extract/binary") == 1
    assert stats.get_value("newsvault/extract/too_large") == 1
    warnings = [
        r for r in caplog.records if r.levelname == "WARNING" and "Not extracting" in r.message
    ]
    assert len(warnings) == 2


@pytest.mark.timeout(120)
def test_a_multi_page_item_is_one_article_with_its_pages_as_aliases(caplog) -> None:
    from crawler.items import PagePart

    pipeline, stats = make_pipeline(ARCHIVE_EXTRACTION_TIMEOUT=20)
    item = make_item(article_html(head=JSONLD_HEAD).encode())
    item.discovery = {}
    item.parts = [
        PagePart(f"{URL}?page=2", "text", article_html().encode(), "utf-8"),
        PagePart(f"{URL}?page=3", "text", b"%PDF-1.4" + bytes(range(256)) * 8, None),
    ]
    item.missing_pages = [f"{URL}?page=4"]

    async def scenario() -> ArticleItem:
        await pipeline.open_spider()
        try:
            return await pipeline.process_item(item)
        finally:
            await pipeline.close_spider()

    result = asyncio.run(scenario())
    article = result.article.to_dict()
    assert article["pages"] == [URL, f"{URL}?page=2"]
    # a part extraction refuses is missing, like one that could not be fetched
    assert article["missing_pages"] == [f"{URL}?page=4", f"{URL}?page=3"]
    assert "Not extracting" in caplog.text and f"{URL}?page=3" in caplog.text
    assert article["text"].count(article_html_first_line()) == 2  # both pages' text
    assert f"{URL}?page=2" in result.aliases
    assert stats.get_value("newsvault/extract/multipage_articles") == 1
    assert stats.get_value("newsvault/extract/missing_pages") == 2


def article_html_first_line() -> str:
    from crawler.extract import extract_article

    return extract_article(article_html().encode(), URL)["text"].split("\n\n")[0]


def _slow_start() -> None:
    from crawler.extract import worker_init

    time.sleep(4)  # a loaded machine: imports and warm-up take longer than the timeout
    worker_init()


@pytest.mark.timeout(120)
def test_the_timeout_starts_once_the_workers_are_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.workerpool import WorkerPool

    monkeypatch.setattr(
        ExtractionPipeline, "_new_pool", lambda self: WorkerPool(1, initializer=_slow_start)
    )
    pipeline, stats = make_pipeline(ARCHIVE_EXTRACTION_TIMEOUT=3)

    async def scenario() -> ArticleItem:
        await pipeline.open_spider()
        try:
            return await pipeline.process_item(make_item(article_html(head=JSONLD_HEAD).encode()))
        finally:
            await pipeline.close_spider()

    assert asyncio.run(scenario()).article.text
    assert stats.get_value("newsvault/extract/timeouts") is None
