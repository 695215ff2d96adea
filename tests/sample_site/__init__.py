"""The bundled sample news site that tests and the demo crawl."""

from __future__ import annotations

import logging

from .expected import EXPECTED_PATH, build_expected, load_expected
from .server import SampleSite

logger = logging.getLogger(__name__)

__all__ = ["EXPECTED_PATH", "SampleSite", "build_expected", "load_expected"]
