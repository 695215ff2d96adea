"""Shared pytest fixtures: the bundled sample news site."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.sample_site import SampleSite
from tests.services import SeaweedFS

logger = logging.getLogger(__name__)


@pytest.fixture(scope="session")
def sample_site() -> Iterator[SampleSite]:
    """The sample news site on 127.0.0.1 with a free port, for the whole session."""
    site = SampleSite().start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A real S3 server (SeaweedFS `weed mini`) on free ports, started once per session."""
    with SeaweedFS(tmp_path_factory.mktemp("seaweedfs") / "data") as server:
        yield server
