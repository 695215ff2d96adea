"""The crawl process hands freed heap pages back to the OS."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.heaptrim import HeapTrimExtension, malloc_trim

glibc = pytest.mark.skipif(not malloc_trim(), reason="no glibc malloc_trim here")


@glibc
def test_trim_returns_freed_heap_pages_that_glibc_kept() -> None:
    """Response-sized buffers freed behind a few live ones stay in RSS until a trim."""
    code = textwrap.dedent(
        """
        from crawler.heaptrim import malloc_trim

        def rss():
            return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

        keep, churn = [], []
        for i in range(10_000):
            churn.append(bytes(20_000))
            if i % 50 == 0:
                keep.append(bytes(600))  # pins the heap above the freed buffers
        churn.clear()
        before = rss()
        malloc_trim()
        print(before, rss())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = map(float, out.stdout.split())
    assert before - after > 100, (before, after)  # ~190 MB freed but kept, then returned


@glibc
def test_the_extension_trims_on_its_interval_and_counts() -> None:
    crawler = get_crawler(settings_dict={"ARCHIVE_HEAP_TRIM_INTERVAL": 5})
    ext = HeapTrimExtension.from_crawler(crawler)
    assert ext.interval == 5
    ext.trim()
    assert crawler.stats is not None
    assert crawler.stats.get_value("newsvault/memory/heap_trims") == 1


def test_interval_zero_switches_it_off() -> None:
    with pytest.raises(NotConfigured):
        HeapTrimExtension.from_crawler(get_crawler(settings_dict={"ARCHIVE_HEAP_TRIM_INTERVAL": 0}))
