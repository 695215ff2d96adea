"""Start-up: the config file is read once per crawl, by the launcher, and the add-on reuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

import crawler.config
from crawler.launch import preflight, project_settings


def test_the_config_file_is_read_once_per_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrapy.crawler import Crawler

    from crawler.spiders.news import NewsSpider

    config = tmp_path / "c.yaml"
    config.write_text(
        f"storage:\n  warc: {tmp_path}/a/warc\n  json: {tmp_path}/a/json\n"
        f"  state: {tmp_path}/a/state\n  manifests: {tmp_path}/a/manifests\n"
        f"  spool: {tmp_path}/spool\ncrawl:\n  max_pages: 7\n"
    )
    monkeypatch.delenv("NEWSVAULT_CONFIG", raising=False)
    reads: list[Path] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        if self.name == "c.yaml":
            reads.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    settings = project_settings()
    cfg = preflight(settings, str(config))
    crawler = Crawler(NewsSpider, settings)
    crawler.addons.load_settings(crawler.settings)  # the add-on step of a crawl
    assert len(reads) == 1
    assert crawler.settings.getint("CLOSESPIDER_PAGECOUNT") == 7
    assert crawler.settings["ARCHIVE_CONFIG_HASH"] == cfg.config_hash
    assert crawler.settings["ARCHIVE_RUN_ID"]


def test_one_resolution_order_for_the_config_path(monkeypatch: pytest.MonkeyPatch) -> None:
    resolve = crawler.config.resolve_config_path
    monkeypatch.delenv("NEWSVAULT_CONFIG", raising=False)
    assert resolve() == Path("archive_config.yaml")
    assert resolve(setting="from-setting.yaml") == Path("from-setting.yaml")
    monkeypatch.setenv("NEWSVAULT_CONFIG", "from-env.yaml")
    assert resolve(setting="from-setting.yaml") == Path("from-env.yaml")
    assert resolve("explicit.yaml", setting="from-setting.yaml") == Path("explicit.yaml")


def test_each_crawl_gets_its_own_run_id_unless_one_is_given(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    from crawler.addon import CONFIG_SETTING, NewsvaultAddon

    cfg = crawler.config.parse_config("")
    ids = set()
    for _ in range(2):
        settings = Settings({CONFIG_SETTING: cfg})
        NewsvaultAddon().update_settings(settings)
        ids.add(settings["ARCHIVE_RUN_ID"])
    assert len(ids) == 2
    given = Settings({CONFIG_SETTING: cfg})
    given.set("ARCHIVE_RUN_ID", "shared-run", priority="cmdline")
    NewsvaultAddon().update_settings(given)
    assert given["ARCHIVE_RUN_ID"] == "shared-run"
