"""What the WARC writer reads from the settings, as one frozen dataclass."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.config import DEFAULT_SETTINGS, WARC_DIGESTS
from pipelines.gzfiles import MB, default_host, file_host

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def _default(name: str) -> Any:
    return DEFAULT_SETTINGS[name]


@dataclass(frozen=True)
class WarcConfig:
    """Everything the WARC writer reads from the settings."""

    spool: Path
    prefix: str = _default("ARCHIVE_WARC_PREFIX")
    max_file_bytes: int = int(_default("ARCHIVE_WARC_MAX_FILE_MB") * MB)
    digest: str = _default("ARCHIVE_WARC_DIGEST")
    operator: str = _default("ARCHIVE_WARC_OPERATOR")
    config_hash: str = ""
    run_id: str = ""
    user_agent: str = ""
    robots: str = "obey"
    hostname: str = field(default_factory=socket.gethostname)
    host: str = field(default_factory=default_host)
    revisit_min_bytes: int = _default("ARCHIVE_WARC_REVISIT_MIN_BYTES")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WarcConfig:
        digest = (settings.get("ARCHIVE_WARC_DIGEST") or _default("ARCHIVE_WARC_DIGEST")).lower()
        if digest not in WARC_DIGESTS:
            raise ValueError(
                f"ARCHIVE_WARC_DIGEST (warc.digest) is {digest!r}; use one of "
                f"{', '.join(WARC_DIGESTS)}"
            )
        max_mb = settings.getfloat("ARCHIVE_WARC_MAX_FILE_MB", _default("ARCHIVE_WARC_MAX_FILE_MB"))
        if max_mb <= 0:
            raise ValueError(f"ARCHIVE_WARC_MAX_FILE_MB (warc.max_file_mb) must be > 0: {max_mb}")
        return cls(
            spool=Path(settings.get("ARCHIVE_STORAGE_SPOOL") or _default("ARCHIVE_STORAGE_SPOOL")),
            prefix=settings.get("ARCHIVE_WARC_PREFIX") or _default("ARCHIVE_WARC_PREFIX"),
            max_file_bytes=int(max_mb * MB),
            digest=digest,
            operator=settings.get("ARCHIVE_WARC_OPERATOR") or _default("ARCHIVE_WARC_OPERATOR"),
            config_hash=settings.get("ARCHIVE_CONFIG_HASH") or "",
            run_id=settings.get("ARCHIVE_RUN_ID") or "",
            host=file_host(settings),
            user_agent=settings.get("USER_AGENT") or "",
            robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            revisit_min_bytes=settings.getint(
                "ARCHIVE_WARC_REVISIT_MIN_BYTES", _default("ARCHIVE_WARC_REVISIT_MIN_BYTES")
            ),
        )
