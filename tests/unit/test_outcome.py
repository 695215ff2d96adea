"""Exit codes from crawl stats: ok, failed, usage, partial."""

from __future__ import annotations

from crawler.outcome import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, assess


def _stats(**sources: dict[str, int]) -> dict[str, object]:
    stats: dict[str, object] = {"finish_reason": "finished", "downloader/response_count": 10}
    for name, counters in sources.items():
        for counter, value in counters.items():
            stats[f"newsvault/source/{name}/{counter}"] = value
    return stats


def test_a_healthy_crawl_is_ok() -> None:
    outcome = assess(_stats(a={"entry_ok": 1, "fetched": 10, "http_errors": 1}))
    assert (outcome.status, outcome.exit_code, outcome.problems) == ("ok", EXIT_OK, ())


def test_every_start_url_unreachable_is_a_failure() -> None:
    stats = _stats(a={"entry_failed": 2, "errors": 2})
    stats["downloader/response_count"] = 0
    outcome = assess(stats)
    assert outcome.exit_code == EXIT_FAILED
    assert outcome.failed_sources == ("a",)
    assert "source 'a': none of its start URLs" in outcome.problems[0]


def test_one_failed_source_of_two_is_partial() -> None:
    outcome = assess(_stats(a={"entry_ok": 1, "fetched": 10}, b={"entry_failed": 1, "errors": 1}))
    assert outcome.exit_code == EXIT_PARTIAL
    assert outcome.failed_sources == ("b",)


def test_all_sources_failed_is_a_failure_even_with_responses() -> None:
    # robots.txt answered, but no start URL did
    outcome = assess(_stats(a={"entry_failed": 1, "fetched": 1, "http_errors": 1}))
    assert outcome.exit_code == EXIT_FAILED


def test_error_share_over_the_threshold_is_partial() -> None:
    stats = _stats(a={"entry_ok": 1, "fetched": 1123, "http_errors": 980})
    outcome = assess(stats, max_error_share=0.5)
    assert outcome.exit_code == EXIT_PARTIAL
    assert "980 of 1123 fetches failed (87%" in outcome.problems[0]
    assert assess(stats, max_error_share=0.9).exit_code == EXIT_OK


def test_finish_reasons_map_to_codes() -> None:
    for reason, code in [
        ("closespider_pagecount", EXIT_OK),
        ("storage_unavailable", EXIT_FAILED),
        ("shutdown", EXIT_FAILED),
        ("disk_full", EXIT_FAILED),  # any component's own CloseSpider reason fails the run
        ("bad_source", EXIT_USAGE),
    ]:
        stats = _stats(a={"entry_ok": 1, "fetched": 3})
        stats["finish_reason"] = reason
        assert assess(stats).exit_code == code, reason


def test_components_mark_a_run_partial_and_pending_uploads_count() -> None:
    stats = _stats(a={"entry_ok": 1, "fetched": 3})
    stats["newsvault/partial/extraction_timeouts"] = 4
    assert assess(stats).problems == ("extraction_timeouts: 4",)
    clean = _stats(a={"entry_ok": 1, "fetched": 3})
    assert assess(clean, pending_uploads=2).exit_code == EXIT_PARTIAL


def test_a_distributed_worker_that_found_all_work_taken_is_ok() -> None:
    stats = _stats(a={"discovered": 3})
    stats["downloader/response_count"] = 0
    assert assess(stats).exit_code == EXIT_FAILED  # alone, fetching nothing is a failure
    assert assess(stats, shared_frontier=True).exit_code == EXIT_OK  # the others fetched it
