"""Extraction settings (one options object per crawl) and the extractor's version string."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import metadata as importlib_metadata

from crawler import __version__

__all__ = ["EXTRACTOR_NAME", "FAVOR_CHOICES", "ExtractionOptions", "extractor_version"]

EXTRACTOR_NAME = "newsvault"

FAVOR_CHOICES = ("balanced", "precision", "recall")


@dataclass(frozen=True)
class ExtractionOptions:
    """Settings that change what extraction returns (all but ``timeout_s`` enter the settings hash)."""

    comments: bool = True
    favor: str = "balanced"
    include_tables: bool = True
    timeout_s: float = 30.0
    prune_boilerplate: bool = True
    date_text_search: bool = True

    def __post_init__(self) -> None:
        if self.favor not in FAVOR_CHOICES:
            raise ValueError(f"favor must be one of {', '.join(FAVOR_CHOICES)}, not {self.favor!r}")

    def settings_hash(self) -> str:
        """First 16 hex digits of the sha256 of the output-relevant settings and extractor version."""
        data = asdict(self)
        data.pop("timeout_s")
        data["extractor_version"] = extractor_version()
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def extractor_version() -> str:
    """Our version plus the trafilatura version, e.g. ``newsvault-0.1.0+trafilatura-2.3.1``."""
    try:
        traf = importlib_metadata.version("trafilatura")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - vendored installs
        traf = "unknown"
    return f"{EXTRACTOR_NAME}-{__version__}+trafilatura-{traf}"
