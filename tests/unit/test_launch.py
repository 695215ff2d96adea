"""Start-up: the config is read once; -s values, the shipped placeholder, sources, the spool and its lock."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import crawler.config
from crawler.config import load_config
from crawler.launch import (
    StartupError,
    UsageError,
    check_overrides,
    placeholder_problem,
    preflight,
    project_settings,
    release_archive_locks,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _release_locks() -> Iterator[None]:
    yield
    release_archive_locks()


def _config(tmp_path: Path, spool: Path | None = None) -> Path:
    path = tmp_path / "c.yaml"
    lines = [
        "storage:",
        f"  warc: {tmp_path}/archive/warc",
        f"  json: {tmp_path}/archive/json",
    ]
    if spool is not None:
        lines.append(f"  spool: {spool}")
    lines += ["sources:", "  - name: local", "    start_urls: ['http://127.0.0.1:9/']"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_set_values_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"-s CONCURRENT_REQUESTS='abc': expected a number"):
        check_overrides(project_settings([("CONCURRENT_REQUESTS", "abc")]))
    with pytest.raises(UsageError, match="ARCHIVE_INCREMENTAL_ENABLED='maybe': expected true or"):
        check_overrides(project_settings([("ARCHIVE_INCREMENTAL_ENABLED", "maybe")]))
    check_overrides(project_settings([("DOWNLOAD_DELAY", "0.5"), ("LOG_LEVEL", "INFO")]))


def test_the_shipped_config_is_a_placeholder() -> None:
    problem = placeholder_problem(load_config(ROOT / "archive_config.yaml"))
    assert problem is not None
    assert "set your own sources and crawl.user_agent" in problem


def test_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with pytest.raises(UsageError, match="no source named 'nope' in sources \\(local\\)"):
        preflight(project_settings(), str(config), source="nope")
    assert not (tmp_path / "archive").exists()


def test_unusable_spool_is_one_sentence(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.write_text("a file, not a directory")
    with pytest.raises(StartupError, match=r"storage.spool .* is not a usable directory") as err:
        preflight(project_settings(), str(_config(tmp_path, spool)))
    assert err.value.exit_code == 1
    assert not (tmp_path / "archive").exists()


def test_a_second_crawl_of_one_archive_waits_until_the_holder_is_dead(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from crawler.runlock import ArchiveLock; "
            f"lock = ArchiveLock({str(spool)!r}); lock.acquire(config='other.yaml'); "
            "print('held', flush=True); "
            "time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(
            StartupError, match=f"another crawl of this archive is running \\(pid {holder.pid}"
        ):
            preflight(project_settings(), str(_config(tmp_path, spool)))
    finally:
        holder.send_signal(signal.SIGKILL)  # dies without releasing anything
        holder.wait(10)
    time.sleep(0.1)
    preflight(project_settings(), str(_config(tmp_path, spool)))  # the dead holder's lock is free


def test_two_crawls_of_one_archive_with_the_default_spool_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Distributed workers get spools of their own; crawls that are not distributed share
    the archive's one default spool, and its lock still keeps the second out."""
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path)
    spool = tmp_path / load_config(config).storage.spool_dir
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from crawler.runlock import ArchiveLock; "
            f"lock = ArchiveLock({str(spool)!r}); lock.acquire(config='first.yaml'); "
            "print('held', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StartupError, match="another crawl of this archive is running"):
            preflight(project_settings(), str(config))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)


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
        "sources:\n  - name: a\n    start_urls: ['http://127.0.0.1:9/']\n"
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
