"""ExtractionOptions and the extractor version."""

from __future__ import annotations

import pytest

from crawler.extract import EXTRACTOR_NAME, ExtractionOptions, extractor_version


def test_settings_hash_tracks_output_settings_only() -> None:
    base = ExtractionOptions()
    assert base.settings_hash() == ExtractionOptions().settings_hash()
    assert base.settings_hash() != ExtractionOptions(comments=False).settings_hash()
    assert base.settings_hash() != ExtractionOptions(favor="precision").settings_hash()
    assert base.settings_hash() == ExtractionOptions(timeout_s=5).settings_hash()
    with pytest.raises(ValueError, match="favor"):
        ExtractionOptions(favor="fast")


def test_extractor_version_names_both_parts() -> None:
    version = extractor_version()
    assert version.startswith(f"{EXTRACTOR_NAME}-")
    assert "+trafilatura-" in version
