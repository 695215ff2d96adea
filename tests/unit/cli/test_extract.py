"""The `newsvault extract` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_article
from tests.unit.extract.article_page import (
    JSONLD_HEAD,
    URL,
    article_html,
)


def test_extract_command_prints_the_same_json_as_extract_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main

    page = tmp_path / "page.html"
    page.write_text(article_html(head=JSONLD_HEAD), encoding="utf-8")
    assert main(["extract", str(page), "--url", URL]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == extract_article(page.read_bytes(), URL)
    assert main(["extract", str(tmp_path / "missing.html")]) == 2


def test_extract_command_no_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.cli import main

    page = tmp_path / "page.html"
    page.write_text(
        article_html(
            body_extra='<div id="comments"><ol class="commentlist"><li id="comment-1" class="comment">'
            '<cite class="fn">Zed</cite><div class="comment-content"><p>Zed was here first.</p></div>'
            "</li></ol></div>"
        ),
        encoding="utf-8",
    )
    assert main(["extract", str(page), "--url", URL, "--no-comments", "--compact"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["comments"] == [] and printed["comments_status"] is None
    assert main(["extract", str(page), "--url", URL, "--compact"]) == 0
    assert [c["author"] for c in json.loads(capsys.readouterr().out)["comments"]] == ["Zed"]


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        (bytes(range(256)) * 400, [], "is binary, not an HTML page"),
        (
            b"<html><body>" + b"<p>word</p>" * 200_000 + b"</body></html>",
            ["--max-mb", "1"],
            "is larger than 1 MB",
        ),
    ],
)
def test_extract_refuses_binary_and_oversized_input_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    args: list[str],
    expected: str,
) -> None:
    from crawler.cli import main

    page = tmp_path / "hostile.html"
    page.write_bytes(content)
    assert main(["extract", str(page), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(page) in lines[0]
