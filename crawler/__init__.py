"""newsvault: a news crawler and web archive (the Scrapy project)."""

from __future__ import annotations

__version__ = "0.1.0"
