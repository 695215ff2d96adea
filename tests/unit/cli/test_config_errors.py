"""Every sub-command that reads the config exits 2 (usage) with one line on a bad --config."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main

#: Each sub-command that takes --config, with the other arguments it needs (DIR: tmp_path).
COMMANDS = {
    "crawl": ["crawl"],
    "upload": ["upload"],
    "verify": ["verify", "DIR"],
    "ls": ["ls", "DIR"],
    "get": ["get", "DIR", "DIR/out"],
    "index": ["index", "DIR"],
    "query": ["query", "DIR", "select 1"],
    "record": ["record", "DIR", "http://a.example/"],
    "export": ["export", "DIR", "--format", "jsonl", "--out", "DIR/out.jsonl"],
    "reextract": ["reextract", "DIR", "--out", "DIR/out"],
    "report": ["report", "DIR", "--out", "DIR/report.html"],
    "wacz": ["wacz", "DIR", "--out", "DIR/a.wacz"],
    "replay": ["replay", "DIR"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    "text,expected",
    [
        ("crawl:\n  max_pages: 5\n  max_pages: 6\n", ":3: crawl.max_pages: given twice"),
        ("crawl:\n  max_pagez: 5\n", ":2: crawl.max_pagez: unknown key"),
        (None, "config file not found"),
    ],
    ids=["duplicate key", "unknown key", "missing file"],
)
def test_a_bad_config_is_a_usage_error_everywhere(
    command: str,
    text: str | None,
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "bad.yaml"
    if text is not None:
        config.write_text(text)
    argv = [a.replace("DIR", str(tmp_path)) for a in COMMANDS[command]]
    try:
        code = main([*argv, "--config", str(config)])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"newsvault: {config}") and expected in lines[0], lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == (["bad.yaml"] if text else [])
