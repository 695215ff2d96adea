"""Process-pool worker side of extraction: initialiser, jobs, and memory given back between pages."""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import signal
import sys
from typing import Any

from crawler.extract.options import ExtractionOptions
from crawler.extract.pages import extract_pages

__all__ = [
    "PageTooLargeForWorker",
    "WorkerRetired",
    "worker_extract",
    "worker_extract_pages",
    "worker_init",
    "worker_ready",
]

# No Scrapy here (see crawler.pipelines.ExtractionPipeline), so a spawned worker imports
# only what extraction needs.


#: prctl(2) option: the signal this process gets when its parent dies
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux; else a no-op).

    A crawl killed with SIGKILL runs no clean-up: without this its extraction workers
    would live on, holding memory, for as long as the machine does.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() == 1:  # the parent died before prctl: nobody will collect our work
        os._exit(1)


def limit_memory(max_mb: float) -> None:
    """Cap this process's address space: a page that needs more fails with MemoryError."""
    if max_mb <= 0:
        return
    limit = int(max_mb * 1024 * 1024)
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - a platform without RLIMIT_AS
        pass


def worker_init(max_memory_mb: float = 0) -> None:
    """Pool initializer: import and warm up trafilatura; Ctrl-C is the parent's business.

    The worker dies with its parent, and its address space is capped at
    ``max_memory_mb`` (extraction.max_worker_mb) once the warm-up is done.
    """
    from crawler.extract.core import extract_article

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    # warm up lazily loaded parts (stoplists, xpaths, htmldate) so the first page is not slow
    extract_article(
        b'<html lang="en"><head><title>w</title></head><body><article><p>warm up text</p>'
        b"<p>published 3 March 2024</p></article></body></html>",
        "http://localhost/",
    )
    _CACHES.extend(_library_caches())
    # everything imported so far lives as long as the worker: keep it out of the cyclic GC
    gc.freeze()
    limit_memory(max_memory_mb)


class PageTooLargeForWorker(Exception):
    """Extracting the page needed more memory than extraction.max_worker_mb allows.

    The worker that raised it takes no more pages (see WorkerRetired): its parent
    replaces it with a fresh one, whatever the failed allocation left behind.
    """

    def __init__(self, message: str, pid: int = 0) -> None:
        super().__init__(message)
        self.pid = pid

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled back to the parent with its pid (Exception pickles only ``args``)
        return (type(self), (str(self), self.pid))


class WorkerRetired(Exception):
    """This worker went over its memory limit: run the page in a fresh worker instead."""


#: set once the worker went over its memory limit; it then refuses every job
_OVER_LIMIT = False


def worker_ready() -> bool:
    """No-op job: submitting it makes the pool spawn (and initialise) a worker."""
    return True


def worker_extract(
    body: bytes, url: str, encoding: str | None, options: ExtractionOptions, hints: dict[str, Any]
) -> dict[str, Any]:
    """The pool job: extract one page, then give memory back.

    A page that takes the worker over its memory limit fails with PageTooLargeForWorker,
    and the worker refuses every later job (WorkerRetired) until its parent replaces it:
    a MemoryError may strike inside a library and leave it in any state.
    """
    from crawler.extract.core import extract_article  # imported by worker_init already

    global _OVER_LIMIT
    if _OVER_LIMIT:
        raise WorkerRetired(f"worker {os.getpid()} is over its memory limit")
    try:
        return extract_article(body, url, encoding=encoding, options=options, hints=hints)
    except MemoryError:
        _OVER_LIMIT = True
        # what the page allocated is garbage now; give it back while the worker winds down
        gc.collect()
        _release_memory(trim=True)
        raise PageTooLargeForWorker(
            f"extracting {url} needed more than the worker's memory limit "
            "(extraction.max_worker_mb)",
            os.getpid(),
        ) from None
    finally:
        _release_memory()


def worker_extract_pages(
    body: bytes,
    url: str,
    encoding: str | None,
    options: ExtractionOptions,
    hints: dict[str, Any],
    parts: list[tuple[str, str, bytes, str | None]],
    missing: list[str],
) -> dict[str, Any]:
    """The pool job for a multi-page article: every page extracted here, merged into one.

    Over the memory limit it fails and retires the worker, as `worker_extract` does.
    """
    global _OVER_LIMIT
    if _OVER_LIMIT:
        raise WorkerRetired(f"worker {os.getpid()} is over its memory limit")
    try:
        return extract_pages(
            body, url, parts, encoding=encoding, options=options, hints=hints, missing=missing
        )
    except MemoryError:
        _OVER_LIMIT = True
        gc.collect()
        _release_memory(trim=True)
        raise PageTooLargeForWorker(
            f"extracting {url} and its {len(parts)} further page(s) needed more than the "
            "worker's memory limit (extraction.max_worker_mb)",
            os.getpid(),
        ) from None
    finally:
        _release_memory()


# per-line text caches of trafilatura/htmldate (thousands of entries, ~20 MB per worker):
# emptied every CACHE_RESET_JOBS pages so a long crawl does not grow the workers
CACHE_RESET_JOBS = 25
# Heap pages go back to the OS every TRIM_JOBS pages. After every page, the next one
# faulted them all in again (7% of the worker's CPU on the corpus); every 16th page
# costs a fifth of that, with the same peak (the largest page sets it).
TRIM_JOBS = 16
_CACHES: list[Any] = []
_JOBS = 0
_MALLOC_TRIM: Any = None


def _is_lru_cache(value: object) -> bool:
    """A function wrapped by ``functools.lru_cache``/``cache``, told by its documented methods."""
    return (
        callable(value)
        and not isinstance(value, type)
        and callable(getattr(value, "cache_clear", None))
        and callable(getattr(value, "cache_info", None))
    )


def _library_caches() -> list[Any]:
    # justext's per-language stoplists are small and slow to rebuild: they stay
    caches = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("trafilatura", "htmldate", "courlan")):
            continue
        for value in vars(module).values():
            if _is_lru_cache(value):
                caches.append(value)
    return caches


def _release_memory(trim: bool = False) -> None:
    """Empty text caches now and then, and hand freed heap pages back to the OS (glibc)."""
    global _MALLOC_TRIM, _JOBS
    _JOBS += 1
    if _JOBS % CACHE_RESET_JOBS == 0 or trim:
        for cache in _CACHES:
            cache.cache_clear()
    if _JOBS % TRIM_JOBS and not trim:
        return
    if _MALLOC_TRIM is None:
        try:
            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)
