"""Fixtures of the integration tests that talk to the real S3 server."""

from __future__ import annotations

import pytest

from tests.services import SeaweedFS


@pytest.fixture
def s3_env(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> SeaweedFS:
    """Credentials for the test server through boto3's standard chain (environment)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    return seaweedfs
