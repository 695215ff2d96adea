"""The Scrapy glue of the WARC writer: settings and switching off."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.warc import (
    WarcConfig,
)


def test_extension_settings(tmp_path: Path) -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from pipelines.warc import WarcWriterExtension

    spool = {"ARCHIVE_STORAGE_SPOOL": str(tmp_path)}
    with pytest.raises(NotConfigured):
        WarcWriterExtension.from_crawler(
            get_crawler(settings_dict={**spool, "ARCHIVE_WARC_ENABLED": False})
        )
    with pytest.raises(ValueError, match=r"ARCHIVE_WARC_DIGEST \(warc.digest\) is 'md5'"):
        WarcWriterExtension.from_crawler(
            get_crawler(settings_dict={**spool, "ARCHIVE_WARC_DIGEST": "md5"})
        )
    config = WarcConfig.from_settings(get_crawler(settings_dict=spool).settings)
    assert (config.prefix, config.max_file_bytes, config.digest) == (
        "newsvault",
        1000 * 1024 * 1024,
        "sha1",
    )
    assert config.robots == "ignore"  # Scrapy's own default
    obey = get_crawler(settings_dict={**spool, "ROBOTSTXT_OBEY": True}).settings
    assert WarcConfig.from_settings(obey).robots == "obey"
