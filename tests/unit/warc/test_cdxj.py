"""CDXJ lines noted while writing, against cdxj-indexer reading the file back."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

from pipelines.warc import (
    HttpCapture,
    WarcArchive,
    WarcConfig,
    cdxj_index,
)
from tests.warc_helpers import (
    FakeState,
    make_capture,
)


def test_index_noted_while_writing_equals_reading_the_file_back(tmp_path: Path) -> None:
    """The CDXJ written from what the writer knew is byte-identical to cdxj-indexer's."""
    state = FakeState()
    archive = WarcArchive(
        WarcConfig(spool=tmp_path / "spool", max_file_bytes=1800),
        software="newsvault/test",
        state=state,
    )

    def cap(url: str, body: bytes, headers: list[tuple[bytes, bytes]], **kw: Any) -> HttpCapture:
        return dataclasses.replace(make_capture(url, body), response_headers=headers, **kw)

    body = random.Random(1).randbytes(1500)  # incompressible: files rotate by size
    captures = [
        cap(
            "https://example.org/a?b=1&C=2", body, [(b"Content-Type", b"text/html; charset=utf-8")]
        ),
        # the same payload again: a revisit record
        cap("https://example.org/copy", body, [(b"content-type", b"text/html")]),
        cap("https://example.org/none", b"plain", []),
        cap("https://example.org/odd", b"odd", [(b"Content-Type", b"  Text/HTML ;x=y  ")]),
        cap("https://example.org/empty", b"e", [(b"Content-Type", b"")]),
        cap("https://example.org/latin", b"l", [(b"Content-Type", b"text/\xe9t\xe9")]),
        cap("https://example.org/utf8", b"u", [(b"Content-Type", b"text/\xc3\xa9t\xc3\xa9")]),
        cap("https://example.org/missing", b"gone", [(b"Content-Type", b"text/html")], status=404),
        cap(
            "https://EXAMPLE.org:443/Path/%7Euser/",
            random.Random(2).randbytes(2000),
            [(b"Content-Type", b"text/html")],
        ),
        cap(
            "https://example.org/two", b"2", [(b"Content-Type", b"a/b"), (b"Content-Type", b"c/d")]
        ),
    ]
    for capture in captures:
        archive.write_capture(capture)
    archive.close()
    ready = sorted((tmp_path / "spool" / "ready" / "warc").rglob("*.warc.gz"))
    assert len(ready) >= 3  # rotation by size: lines went to the right files
    noted = {p.name: Path(str(p) + ".cdxj").read_text() for p in ready}
    assert sum(text.count("\n") for text in noted.values()) == len(captures)
    assert "warc/revisit" in "".join(noted.values())
    for path in ready:
        assert noted[path.name] == cdxj_index(path, path.name), path.name


def test_a_post_capture_makes_the_file_indexed_from_disk(tmp_path: Path) -> None:
    archive = WarcArchive(WarcConfig(spool=tmp_path / "spool"), software="newsvault/test")
    get = make_capture("https://example.org/get", b"g")
    post = dataclasses.replace(
        make_capture("https://example.org/form", b"ok"),
        method="POST",
        request_headers=[(b"Content-Type", b"application/x-www-form-urlencoded")],
        request_body=b"q=news",
    )
    archive.write_capture(get)
    archive.write_capture(post)
    name = archive.writer.current_name
    assert name is not None
    assert archive._index_lines[name] is None
    archive.close()
    (path,) = (tmp_path / "spool" / "ready" / "warc").rglob("*.warc.gz")
    text = Path(str(path) + ".cdxj").read_text()
    assert "__wb_method=post" in text  # cdxj-indexer's --post-append key
    assert text == cdxj_index(path, path.name)


def test_a_long_file_keeps_its_index_in_sorted_runs_on_disk(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A WARC that takes the whole crawl keeps few index lines in memory; the CDXJ is the same."""
    from pipelines.warc.cdxj import CdxjSpill

    monkeypatch.setattr(CdxjSpill, "RUN_LINES", 4)
    archive = WarcArchive(WarcConfig(spool=tmp_path / "spool"), software="newsvault/test")
    urls = [f"https://example.org/{random.Random(i).random()}" for i in range(23)]
    for i, url in enumerate(urls):
        archive.write_capture(make_capture(url, b"page %d" % i))
    name = archive.writer.current_name
    assert name is not None
    spill = archive._index_lines[name]
    assert spill is not None and len(spill._buffer) < 4
    runs = sorted((tmp_path / "spool" / "open").glob(f"*{CdxjSpill.SUFFIX}*"))
    assert len(runs) == 5  # 23 lines: five sorted runs of four, three in memory
    archive.close()
    (path,) = (tmp_path / "spool" / "ready" / "warc").rglob("*.warc.gz")
    text = Path(str(path) + ".cdxj").read_text()
    assert text.count("\n") == 23
    assert text == cdxj_index(path, path.name)
    assert not list((tmp_path / "spool" / "open").glob(f"*{CdxjSpill.SUFFIX}*"))


def test_recovery_deletes_the_index_runs_of_a_killed_crawl(tmp_path: Path) -> None:
    from pipelines.warc.cdxj import CdxjSpill

    open_dir = tmp_path / "spool" / "open"
    open_dir.mkdir(parents=True)
    stale = open_dir / f"NV-x.warc.gz{CdxjSpill.SUFFIX}00000"
    stale.write_text("left by a killed crawl\n")
    WarcArchive(WarcConfig(spool=tmp_path / "spool"), software="newsvault/test").recover()
    assert not stale.exists()
