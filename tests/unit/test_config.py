"""archive_config.yaml validation, settings mapping and fail-fast start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ArchiveConfig, ConfigError, load_config, parse_config, to_settings

REPO = Path(__file__).resolve().parents[2]


def test_repo_config_is_valid_and_maps_to_settings() -> None:
    cfg = load_config(REPO / "archive_config.yaml")
    settings = to_settings(cfg)
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["DOWNLOAD_MAXSIZE"] == 32 * 1024 * 1024
    assert settings["ARCHIVE_SOURCES"][0].name == "example-news"
    assert settings["ARCHIVE_SOURCES"][0].deny == ("/tag/", "/author/")
    assert settings["ARCHIVE_CONFIG_HASH"] == cfg.config_hash


def test_empty_config_gives_defaults() -> None:
    assert parse_config("") == ArchiveConfig()


def test_config_hash_ignores_comments_and_order() -> None:
    a = parse_config("crawl:\n  max_pages: 5\n  obey_robots: true\n")
    b = parse_config("# note\ncrawl:\n  obey_robots: true\n  max_pages: 5\n")
    c = parse_config("crawl:\n  max_pages: 6\n")
    assert a.config_hash == b.config_hash != c.config_hash


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "crawl:\n  obey_robot: true\n",
            ":2: crawl.obey_robot: unknown key; did you mean 'obey_robots'?",
        ),
        ("crawl:\n  max_pages: many\n", ":2: crawl.max_pages: expected a whole number"),
        ("crawl:\n  download_delay: -1\n", ":2: crawl.download_delay: expected a number >= 0"),
        ("crawl:\n  obey_robots: 1\n", ":2: crawl.obey_robots: expected true or false"),
        (
            "storage:\n  warc: ftp://host/x\n",
            ":2: storage.warc: 'ftp://host/x': unsupported storage scheme",
        ),
        ("storage:\n  json: s3://Bad_Bucket/x\n", ":2: storage.json: 's3://Bad_Bucket/x':"),
        (
            "storage:\n  spool: s3://bucket/x\n",
            ":2: storage.spool: 's3://bucket/x' must be a local",
        ),
        (
            "storage:\n  s3:\n    addressing_style: side\n",
            ":3: storage.s3.addressing_style: expected one of",
        ),
        (
            "sources:\n  - name: a\n    start_urls: [htp://x]\n",
            ":3: sources[0].start_urls[0]: 'htp://x' is not",
        ),
        (
            "sources:\n  - name: a\n    deny: ['(']\n",
            ":3: sources[0].deny[0]: invalid regular expression",
        ),
        ("sources:\n  - feeds: []\n", ":2: sources[0].name: is required"),
        ("sources:\n  - name: a\n  - name: a\n", ":3: sources[1].name: 'a' is used twice"),
        ("warc: [1]\n", ":1: warc: expected a mapping"),
        ("warc:\n  digest: md5\n", ":2: warc.digest: expected one of sha1, sha256"),
        (
            "crawl:\n  redis_url: http://127.0.0.1:6379\n",
            ":2: crawl.redis_url: 'http://127.0.0.1:6379' is not a Redis URL",
        ),
        ("crawl: [\n", ": invalid YAML"),
        ("- a\n", ":1: the top level must be a mapping"),
    ],
)
def test_bad_config_is_one_line_naming_key_and_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "cfg.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("cfg.yaml")
    assert expected in message


def test_single_string_is_a_list_of_one() -> None:
    cfg = parse_config("sources:\n  - name: a\n    start_urls: https://a.example/\n")
    assert cfg.sources[0].start_urls == ("https://a.example/",)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_env_var_selects_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("crawl:\n  max_pages: 7\n")
    monkeypatch.setenv("NEWSVAULT_CONFIG", str(path))
    assert load_config().crawl.max_pages == 7


def test_addon_applies_config_below_cmdline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrapy.settings import Settings

    from crawler.addon import NewsvaultAddon

    path = tmp_path / "c.yaml"
    path.write_text("crawl:\n  max_pages: 7\n  download_delay: 2\n")
    monkeypatch.setenv("NEWSVAULT_CONFIG", str(path))
    settings = Settings()
    settings.set("DOWNLOAD_DELAY", 0.0, priority="cmdline")
    NewsvaultAddon().update_settings(settings)
    assert settings.getint("CLOSESPIDER_PAGECOUNT") == 7
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.0


def _run(cmd: list[str], tmp_path: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSVAULT_CONFIG": str(config)}
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


BAD_CONFIGS = {
    "misspelt key": (
        "crawl:\n  concurency_per_domain: 2\n",
        ":6: crawl.concurency_per_domain: unknown key; did you mean 'concurrency_per_domain'?",
    ),
    "wrong type": ("crawl:\n  max_pages: ten\n", ":6: crawl.max_pages: expected a whole number"),
    "invalid URL": (
        "sources:\n  - name: x\n    start_urls: ['news.example.com']\n",
        ":7: sources[0].start_urls[0]: 'news.example.com' is not an absolute http(s) URL",
    ),
    "missing file": (None, ": config file not found"),
}


@pytest.mark.parametrize("runner", ["scrapy", "newsvault"])
@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_fails_fast_writing_nothing(tmp_path: Path, runner: str, case: str) -> None:
    body, expected = BAD_CONFIGS[case]
    config = tmp_path / "bad.yaml"
    archive = tmp_path / "archive"
    if body is not None:
        config.write_text(
            f"storage:\n  warc: {archive}/warc\n  json: {archive}/json\n"
            f"  spool: {tmp_path}/spool\n{body}"
        )
    bindir = Path(sys.executable).parent
    cmd = (
        [str(bindir / "scrapy"), "crawl", "news"]
        if runner == "scrapy"
        else [str(bindir / "newsvault"), "crawl", "--config", str(config)]
    )
    proc = _run(cmd, tmp_path, config)
    assert proc.returncode == 2, proc.stderr  # usage: what was written is wrong, nothing ran
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"newsvault: {config}")
    assert expected in lines[0]
    assert not archive.exists() and not (tmp_path / "spool").exists()


def _crawler_settings(monkeypatch: pytest.MonkeyPatch, config: Path, **cmdline: object) -> object:
    from scrapy.crawler import Crawler
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.news import NewsSpider

    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    monkeypatch.setenv("NEWSVAULT_CONFIG", str(config))
    settings = get_project_settings()
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    crawler = Crawler(NewsSpider, settings)
    # The add-on step of Crawler._apply_settings, without installing a reactor.
    crawler.addons.load_settings(crawler.settings)
    return crawler.settings


def test_config_file_beats_project_settings_and_cmdline_beats_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "crawl:\n  user_agent: 'probe/1 (+https://probe.example/)'\n  download_delay: 0\n"
        "  obey_robots: false\n  concurrency_per_domain: 9\n  max_page_mb: 2\n  depth_limit: 5\n"
    )
    settings = _crawler_settings(monkeypatch, config, DEPTH_LIMIT=1)
    assert settings.get("USER_AGENT") == "probe/1 (+https://probe.example/)"
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.0
    assert settings.getbool("ROBOTSTXT_OBEY") is False
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 9
    assert settings.getint("DOWNLOAD_MAXSIZE") == 2 * 1024 * 1024
    assert settings.getint("DEPTH_LIMIT") == 1  # -s wins over the file


def test_archival_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "empty.yaml"
    config.write_text("")
    settings = _crawler_settings(monkeypatch, config)
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert "zstd" not in settings.getdict("DEFAULT_REQUEST_HEADERS")["Accept-Encoding"]
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    from scrapy.extensions.remote_control import RemoteControl

    # the add-on registers components as classes
    assert settings.getdict("EXTENSIONS")[RemoteControl] is None
    assert "+http" in settings.get("USER_AGENT")


def test_quiet_loggers_build_no_records_below_log_level() -> None:
    import logging

    from scrapy.utils.test import get_crawler

    from crawler.quietlogs import QuietLoggers

    root = logging.getLogger()
    saved = root.level, logging.getLogger("charset_normalizer").level
    try:
        QuietLoggers.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": "INFO"}))
        assert not logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.INFO)
        assert not logging.getLogger("charset_normalizer").isEnabledFor(logging.INFO)
    finally:
        root.setLevel(saved[0])
        logging.getLogger("charset_normalizer").setLevel(saved[1])


def test_readme_documents_every_config_key() -> None:
    import dataclasses
    import typing

    from crawler import config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = []

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            tp = hints[f.name]
            if f.name == "path":
                continue
            if f.name == "sources":
                walk(config.Source, "sources[].")
            elif isinstance(tp, type) and dataclasses.is_dataclass(tp):
                walk(tp, f"{prefix}{f.name}.")
            elif f"`{prefix}{f.name}`" not in readme:
                missing.append(prefix + f.name)

    walk(config.ArchiveConfig, "")
    assert missing == []


@pytest.mark.parametrize(
    "warc,state,manifests",
    [
        ("archive/warc", "archive/state", "archive/manifests"),
        ("/srv/news/warc/", "/srv/news/state", "/srv/news/manifests"),
        ("s3://bucket/news/warc", "s3://bucket/news/state", "s3://bucket/news/manifests"),
        ("s3://bucket", "s3://bucket/state", "s3://bucket/manifests"),
        ("file:///srv/a/warc", "file:///srv/a/state", "file:///srv/a/manifests"),
    ],
)
def test_state_and_manifests_default_to_siblings_of_warc(
    warc: str, state: str, manifests: str
) -> None:
    settings = to_settings(parse_config(f"storage:\n  warc: {warc}\n"))
    assert settings["ARCHIVE_STORAGE_STATE"] == state
    assert settings["ARCHIVE_STORAGE_MANIFESTS"] == manifests


def test_each_archive_gets_its_own_default_spool() -> None:
    a = to_settings(parse_config("storage:\n  warc: s3://bkt/one/warc\n"))["ARCHIVE_STORAGE_SPOOL"]
    b = to_settings(parse_config("storage:\n  warc: s3://bkt/two/warc\n"))["ARCHIVE_STORAGE_SPOOL"]
    assert a != b and a.startswith(".newsvault/spool-")
    explicit = parse_config("storage:\n  warc: w\n  spool: /var/spool/nv\n  state: s3://bkt/st\n")
    assert to_settings(explicit)["ARCHIVE_STORAGE_SPOOL"] == "/var/spool/nv"
    assert to_settings(explicit)["ARCHIVE_STORAGE_STATE"] == "s3://bkt/st"


def test_each_worker_of_a_distributed_crawl_gets_its_own_default_spool() -> None:
    storage = parse_config("storage:\n  warc: s3://bkt/one/warc\n").storage
    one, two = storage.worker_spool_dir("crawl3-1"), storage.worker_spool_dir("crawl3-2")
    assert one == f"{storage.spool_dir}~crawl3-1" and two == f"{storage.spool_dir}~crawl3-2"
    explicit = parse_config("storage:\n  warc: w\n  spool: /var/spool/nv\n").storage
    assert explicit.worker_spool_dir("crawl3-1") == "/var/spool/nv"  # the operator's choice


def test_archive_only_and_jobdir_keys_become_settings() -> None:
    cfg = parse_config("extraction:\n  enabled: false\ncrawl:\n  jobdir: .newsvault/job\n")
    settings = to_settings(cfg)
    assert settings["ARCHIVE_EXTRACTION_ENABLED"] is False
    assert settings["JOBDIR"] == ".newsvault/job"
    assert "JOBDIR" not in to_settings(parse_config(""))
