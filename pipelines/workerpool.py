"""A spawn process pool that knows its own workers, so a stuck one can be stopped."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any


def _report_and_init(pids: Any, initializer: Callable[[], object] | None) -> None:
    pids.put(os.getpid())
    if initializer is not None:
        initializer()


class WorkerPool:
    """A ProcessPoolExecutor whose workers report their pid when they start.

    ``terminate()`` stops exactly this pool's live workers (a running job cannot be
    cancelled otherwise), through multiprocessing's public process list.
    """

    def __init__(self, workers: int, initializer: Callable[[], object] | None = None) -> None:
        # Never fork a process that runs a reactor and threads. "spawn" rather than
        # "forkserver": CPython's refcounting un-shares a preloaded forkserver's pages in
        # the workers anyway, so the extra server process only added memory.
        context = multiprocessing.get_context("spawn")
        self._reported = context.SimpleQueue()
        self._pids: set[int] = set()
        self.workers = workers
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_report_and_init,
            initargs=(self._reported, initializer),
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        return self.executor.submit(fn, *args)

    def pids(self) -> set[int]:
        """Process ids of the workers that have started so far."""
        while not self._reported.empty():
            self._pids.add(int(self._reported.get()))
        return set(self._pids)

    def terminate(self) -> None:
        """Stop this pool's workers now and forget queued jobs."""
        mine = self.pids()
        for child in multiprocessing.active_children():
            if child.pid in mine:
                child.terminate()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Wait for running jobs, then stop the workers."""
        self.executor.shutdown(wait=True)
        self._reported.close()
