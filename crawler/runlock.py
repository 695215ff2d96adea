"""One crawl per archive at a time: an advisory lock in the archive's spool, freed when its holder dies."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

LOCK_NAME = "crawl.lock"


class LockHeld(RuntimeError):
    """Another live process holds the lock; the message names it."""


class ArchiveLock:
    """``flock`` on ``SPOOL/crawl.lock``, held until :meth:`release` or the process ends.

    The kernel drops a ``flock`` when its holder exits, however it exits (``kill -9``, a
    reboot), so a dead holder never blocks the next run: its lock is simply free. The file
    keeps the holder's pid, start time and config for the message a second crawl prints.
    """

    def __init__(self, spool: Path | str) -> None:
        self.path = Path(spool) / LOCK_NAME
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self, **about: Any) -> None:
        """Take the lock or raise LockHeld; ``about`` is written into the file (config, run id)."""
        if self._fh is not None:
            return
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = _describe(fh.read())
            fh.close()
            raise LockHeld(
                f"another crawl of this archive is running ({holder}; lock {self.path}): "
                "wait for it to finish, or give this config its own storage.spool"
            ) from None
        fh.seek(0)
        fh.truncate()
        info = {"pid": os.getpid(), "since": datetime.now(timezone.utc).isoformat(), **about}
        fh.write(json.dumps(info) + "\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # closing releases the flock
            self._fh = None


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
    except ValueError:
        return "holder unknown"
    parts = [f"pid {info.get('pid', '?')}", f"since {info.get('since', '?')}"]
    if info.get("config"):
        parts.append(f"config {info['config']}")
    return ", ".join(parts)
