"""Shared pytest fixtures: the bundled sample news site, real services, archives crawled from the site."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest

from tests.research_archive import CrawledArchive, crawl_twice
from tests.sample_site import SampleSite
from tests.services import SeaweedFS, Valkey

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


@pytest.fixture(scope="session")
def crawled_site() -> Iterator[SampleSite]:
    """A sample site of its own for the crawled archives below (its request log is theirs)."""
    with SampleSite() as site:
        yield site


@pytest.fixture(scope="session")
def crawled_archive(
    crawled_site: SampleSite, tmp_path_factory: pytest.TempPathFactory
) -> CrawledArchive:
    """The sample site crawled twice into a directory, once per session (read-only for tests)."""
    work = tmp_path_factory.mktemp("crawled-archive")
    return crawl_twice(work, crawled_site, str(work / "archive"))


@pytest.fixture(scope="session")
def crawled_archive_s3(
    crawled_site: SampleSite, seaweedfs: SeaweedFS, tmp_path_factory: pytest.TempPathFactory
) -> CrawledArchive:
    """The sample site crawled twice into SeaweedFS, once per session (read-only for tests)."""
    work = tmp_path_factory.mktemp("crawled-archive-s3")
    base = f"s3://{seaweedfs.bucket}/research-{uuid.uuid4().hex[:8]}"
    return crawl_twice(work, crawled_site, base, seaweedfs)


@pytest.fixture(scope="session")
def valkey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Valkey]:
    """A real Valkey (Redis-compatible) server on a free port, started once per session."""
    with Valkey(tmp_path_factory.mktemp("valkey")) as server:
        yield server
