"""Every invalid config gets one line naming file, key and line, and the usage exit code.

A bad config file is a usage error under the exit-code scheme of crawler.outcome (2: what
was typed or written is wrong, nothing ran); UsageError.exit_code is what the launchers return.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main

SOURCE = "sources:\n  - name: a\n    start_urls: ['https://a.example/']\n"

#: (config text, what the one line must say). Each fails on a config that once ran.
INVALID = {
    "no sources key": ("crawl:\n  max_pages: 5\n", "no sources configured"),
    "empty sources list": ("sources: []\n", "no sources configured"),
    "empty file": ("", "no sources configured"),
    "comments only": ("# nothing here\n", "no sources configured"),
    "source without entry point": ("sources:\n  - name: a\n", "sources[0] (a): nothing to fetch"),
    "concurrency_per_domain 0": (
        "crawl:\n  concurrency_per_domain: 0\n" + SOURCE,
        ":2: crawl.concurrency_per_domain: 0 is out of range; give 1 to 1000",
    ),
    "concurrency 0": ("crawl:\n  concurrency: 0\n" + SOURCE, ":2: crawl.concurrency: 0 is out"),
    "concurrency huge": (
        "crawl:\n  concurrency: 1000000\n" + SOURCE,
        ":2: crawl.concurrency: 1000000 is out",
    ),
    "max_article_pages 0": (
        "crawl:\n  max_article_pages: 0\n" + SOURCE,
        ":2: crawl.max_article_pages: 0 is out of range; give 1 to 1000",
    ),
    "negative delay": ("crawl:\n  download_delay: -1\n" + SOURCE, "crawl.download_delay"),
    "max_page_mb 0": ("crawl:\n  max_page_mb: 0\n" + SOURCE, ":2: crawl.max_page_mb: 0.0 is out"),
    "extraction timeout 0": (
        "extraction:\n  timeout: 0\n" + SOURCE,
        ":2: extraction.timeout: 0.0 is out",
    ),
    "extraction workers 10000": (
        "extraction:\n  workers: 10000\n" + SOURCE,
        ":2: extraction.workers: 10000 is out",
    ),
    "max_html_mb 0": ("extraction:\n  max_html_mb: 0\n" + SOURCE, "extraction.max_html_mb"),
    "max_worker_mb tiny": (
        "extraction:\n  max_worker_mb: 10\n" + SOURCE,
        ":2: extraction.max_worker_mb: 10.0 is out",
    ),
    "json max_records 0": ("json:\n  max_records: 0\n" + SOURCE, ":2: json.max_records: 0 is out"),
    "warc max_file_mb 0": ("warc:\n  max_file_mb: 0\n" + SOURCE, ":2: warc.max_file_mb"),
    "source depth huge": (
        "sources:\n  - name: a\n    start_urls: ['https://a.example/']\n    depth: 99999\n",
        ":4: sources[0].depth: 99999 is out",
    ),
    "duplicate key": (
        "crawl:\n  max_pages: 5\n  obey_robots: true\n  max_pages: 6\n" + SOURCE,
        ":4: crawl.max_pages: given twice (lines 2 and 4)",
    ),
    "duplicate section": (
        "crawl:\n  max_pages: 5\n" + SOURCE + "crawl:\n  max_pages: 6\n",
        ":6: crawl: given twice (lines 1 and 6)",
    ),
    "python tag on mapping": (
        "crawl: !!python/object:os.system {}\n" + SOURCE,
        ":1: YAML tags like 'tag:yaml.org,2002:python/object:os.system' are not allowed",
    ),
    "python tag on scalar": (
        "crawl:\n  user_agent: !!python/name:os.system x\n" + SOURCE,
        ":2: YAML tags like 'tag:yaml.org,2002:python/name:os.system' are not allowed",
    ),
    "harmless tag": ("crawl:\n  max_pages: !!int 5\n" + SOURCE, ":2: YAML tags like"),
    "custom tag": ("crawl:\n  max_pages: !env PAGES\n" + SOURCE, ":2: YAML tags like '!env'"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_config_is_one_line_and_a_usage_error(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = INVALID[case]
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    from crawler.launch import UsageError

    code = main(["crawl", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == UsageError.exit_code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"newsvault: {config}"), lines[0]
    assert expected in lines[0], lines[0]
    assert not (tmp_path / "archive").exists()


def test_a_valid_range_edge_is_accepted() -> None:
    from crawler.config import parse_config

    cfg = parse_config("crawl:\n  concurrency_per_domain: 1\n  max_pages: 0\n" + SOURCE)
    assert cfg.crawl.concurrency_per_domain == 1


def _numeric_keys(cls: type, prefix: str = "") -> list[str]:
    import dataclasses
    import typing

    keys = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name == "path":
            continue
        tp = hints[f.name]
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        base = inner[0] if inner and typing.get_origin(tp) is not tuple else tp
        if typing.get_origin(base) is tuple:
            base = typing.get_args(base)[0]
        if dataclasses.is_dataclass(base):
            keys += _numeric_keys(base, f"{prefix}{f.name}.")  # type: ignore[arg-type]
        elif base in (int, float):
            keys.append(prefix + f.name)
    return keys


def test_every_numeric_key_has_a_range() -> None:
    from crawler.config import _RANGES, ArchiveConfig

    keys = _numeric_keys(ArchiveConfig)
    assert "crawl.concurrency_per_domain" in keys and "sources.depth" in keys
    assert sorted(k for k in keys if k not in _RANGES) == []
