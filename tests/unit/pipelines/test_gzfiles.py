"""Tests for the rotating one-gzip-member-per-record writer and its crash recovery."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pipelines.gzfiles import (
    OPEN_SUFFIX,
    ClosedFile,
    RotatingMemberWriter,
    find_open_files,
    gzip_member,
    iter_members,
    make_file_name,
    member_level,
    move_to_ready,
    name_timestamp,
    object_key,
    recover_file,
)

REPO = Path(__file__).resolve().parents[2]


def _names(serial: int, created: datetime) -> str:
    return make_file_name("t", created, serial, "host", "jsonl.gz")


def _writer(tmp_path: Path, done: list[ClosedFile], **kwargs: object) -> RotatingMemberWriter:
    return RotatingMemberWriter(
        tmp_path / "open", name_factory=_names, on_complete=done.append, **kwargs
    )


def test_gzip_member_is_one_standard_member() -> None:
    data = b"hello\n" * 100
    member = gzip_member(data)
    assert gzip.decompress(member) == data
    members = list(iter_members(io.BytesIO(member + gzip_member(b"x"))))
    assert [(m[0], m[2]) for m in members] == [(0, data), (len(member), b"x")]
    assert members[0][1] == len(member)


def test_compressed_payloads_are_stored_text_is_deflated(tmp_path: Path) -> None:
    words = b"the council voted on the budget after a long debate about housing and".split()
    rnd = random.Random(1)
    text = b" ".join(rnd.choice(words) for _ in range(20_000))
    # a WARC response record: headers, then a body still gzip-encoded as received
    record = b"WARC/1.1\r\nContent-Length: 9\r\n\r\n" + gzip.compress(text) + b"\r\n\r\n"
    assert member_level(text) == 6
    assert member_level(record) == 0
    assert member_level(record[:1000]) == 6  # too short to be worth a probe
    done: list[ClosedFile] = []
    writer = _writer(tmp_path, done)
    locations = [writer.write(record), writer.write(text)]
    writer.close()
    # stored or deflated, each record is one standard gzip member with the same bytes
    members = list(iter_members(done[0].path.open("rb")))
    assert [data for _, _, data in members] == [record, text]
    assert [(o, n) for o, n, _ in members] == [(loc.offset, loc.length) for loc in locations]
    assert locations[0].length < len(record) + 100  # stored: no bigger than the record
    assert locations[1].length < len(text) // 4


def test_iter_members_across_read_blocks_and_stops_at_partial() -> None:
    big = os.urandom(3 * 1024 * 1024)  # incompressible: spans several read blocks
    first, second = gzip_member(big), gzip_member(b"second")
    blob = first + second + gzip_member(b"third")[:-5]
    out = list(iter_members(io.BytesIO(blob)))
    assert [(o, n) for o, n, _ in out] == [(0, len(first)), (len(first), len(second))]
    assert out[0][2] == big
    assert out[1][2] == b"second"


def test_file_names_and_keys() -> None:
    created = datetime(2026, 11, 25, 9, 8, 7, tzinfo=timezone.utc)
    name = make_file_name("newsvault", created, 3, "crawl_01.example", "warc.gz")
    assert name == "newsvault-20261125090807-00003-crawl-01.example.warc.gz"
    assert name_timestamp(name) == created
    assert object_key(name) == f"2026/11/25/{name}"
    assert name_timestamp("not-a-generated-name.txt") is None


def test_rotation_by_records_writes_header_first_and_offsets(tmp_path: Path) -> None:
    done: list[ClosedFile] = []
    writer = _writer(tmp_path, done, max_records=2, header=lambda name: [f"H {name}".encode()])
    locations = [writer.write(f"record {i}".encode()) for i in range(5)]
    writer.close()

    assert len(done) == 3
    assert [c.records for c in done] == [3, 3, 2]  # header + 2, header + 2, header + 1
    for closed in done:
        assert closed.path.name == closed.name + OPEN_SUFFIX
        members = [data for _, _, data in iter_members(closed.path.open("rb"))]
        assert members[0] == f"H {closed.name}".encode()
        assert closed.size == closed.path.stat().st_size
    for i, loc in enumerate(locations):
        path = tmp_path / "open" / (loc.name + OPEN_SUFFIX)
        with path.open("rb") as fh:
            fh.seek(loc.offset)
            assert gzip.decompress(fh.read(loc.length)) == f"record {i}".encode()
    assert len({c.name for c in done}) == 3


def test_rotation_by_size_keeps_groups_together(tmp_path: Path) -> None:
    done: list[ClosedFile] = []
    writer = _writer(tmp_path, done, max_bytes=3000)
    groups = [writer.write_group([os.urandom(1000), os.urandom(1000)]) for _ in range(4)]
    writer.close()
    # each 2-record group (~2 KB compressed) fits; the file is full after the second group
    assert [c.records for c in done] == [4, 4]
    for group in groups:
        assert len({loc.name for loc in group}) == 1
    assert all(c.size >= 3000 for c in done)


def test_close_without_records_writes_nothing(tmp_path: Path) -> None:
    done: list[ClosedFile] = []
    writer = _writer(tmp_path, done)
    assert writer.close() is None
    assert done == []
    assert not (tmp_path / "open").exists() or not list((tmp_path / "open").iterdir())


def test_recover_truncates_partial_member(tmp_path: Path) -> None:
    path = tmp_path / ("a.jsonl.gz" + OPEN_SUFFIX)
    good = [gzip_member(f"{i}\n".encode()) for i in range(3)]
    path.write_bytes(b"".join(good) + gzip_member(b"partial record\n")[:9])
    recovered = recover_file(path)
    assert recovered is not None
    assert recovered.records == 3
    assert recovered.name == "a.jsonl.gz"
    assert path.stat().st_size == sum(map(len, good)) == recovered.size
    assert gzip.decompress(path.read_bytes()) == b"0\n1\n2\n"


def test_recover_stops_at_first_invalid_record(tmp_path: Path) -> None:
    path = tmp_path / ("b.jsonl.gz" + OPEN_SUFFIX)
    path.write_bytes(gzip_member(b"ok\n") + gzip_member(b"bad") + gzip_member(b"ok\n"))
    recovered = recover_file(path, validate=lambda data: data.endswith(b"\n"))
    assert recovered is not None and recovered.records == 1
    assert gzip.decompress(path.read_bytes()) == b"ok\n"


def test_recover_removes_file_without_complete_record(tmp_path: Path) -> None:
    path = tmp_path / ("c.jsonl.gz" + OPEN_SUFFIX)
    path.write_bytes(gzip_member(b"never finished")[:12])
    assert recover_file(path) is None
    assert not path.exists()


def test_recover_skips_file_locked_by_live_writer(tmp_path: Path) -> None:
    done: list[ClosedFile] = []
    writer = _writer(tmp_path, done)
    writer.write(b"live\n")
    live = find_open_files(tmp_path / "open", ".jsonl.gz")
    assert len(live) == 1
    before = live[0].read_bytes()
    assert recover_file(live[0]) is None
    assert live[0].read_bytes() == before
    writer.close()
    assert recover_file(done[0].path) is not None  # unlocked once closed


def test_find_open_files_filters_by_suffix(tmp_path: Path) -> None:
    (tmp_path / "x.warc.gz.open").write_bytes(b"")
    (tmp_path / "y.jsonl.gz.open").write_bytes(b"")
    (tmp_path / "z.warc.gz").write_bytes(b"")
    assert [p.name for p in find_open_files(tmp_path, ".warc.gz")] == ["x.warc.gz.open"]
    assert find_open_files(tmp_path / "missing", ".warc.gz") == []


def test_move_to_ready_uses_store_and_key(tmp_path: Path) -> None:
    src = tmp_path / "f.open"
    src.write_bytes(b"data")
    dest = move_to_ready(tmp_path / "spool", "json", "2026/11/25/f.jsonl.gz", src)
    assert dest == tmp_path / "spool" / "ready" / "json" / "2026" / "11" / "25" / "f.jsonl.gz"
    assert dest.read_bytes() == b"data" and not src.exists()


WRITER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from pipelines.gzfiles import RotatingMemberWriter, make_file_name

    writer = RotatingMemberWriter(
        Path(sys.argv[1]),
        name_factory=lambda s, c: make_file_name("k", c, s, "h", "jsonl.gz"),
        on_complete=lambda closed: None,
        max_records=10**9,
    )
    i = 0
    while True:
        writer.write((json.dumps({"i": i, "pad": "x" * 5000}) + "\\n").encode())
        if i % 50 == 0:
            print(i, flush=True)
        i += 1
    """
)


def test_kill_9_mid_write_then_recover(tmp_path: Path) -> None:
    open_dir = tmp_path / "open"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(open_dir)],
        stdout=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line and int(line) >= 400:
                break
        else:
            pytest.fail("writer subprocess made no progress")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    files = find_open_files(open_dir, ".jsonl.gz")
    assert len(files) == 1
    recovered = recover_file(files[0], validate=lambda d: d.endswith(b"\n"))
    assert recovered is not None
    assert recovered.records >= 400
    lines = gzip.decompress(files[0].read_bytes()).splitlines()
    assert [json.loads(line)["i"] for line in lines] == list(range(recovered.records))


class _DiskFullOnce:
    """A file wrapper whose next write lands half-way, then fails like a full disk."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.armed = True

    def write(self, data: bytes) -> int:
        if self.armed:
            self.armed = False
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(28, "No space left on device")
        return int(self.fh.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fh, name)


def test_failed_write_leaves_no_partial_member(tmp_path: Path) -> None:
    done: list[ClosedFile] = []
    writer = _writer(tmp_path, done)
    writer.write(b"first\n")
    current = writer._current
    assert current is not None
    current._fh = _DiskFullOnce(current._fh)  # type: ignore[assignment]
    with pytest.raises(OSError):
        writer.write(b"lost\n" * 100)
    writer.write(b"third\n")
    writer.close()
    assert gzip.decompress(done[0].path.read_bytes()) == b"first\nthird\n"
    assert done[0].records == 2


def test_names_differ_between_processes_started_in_the_same_second() -> None:
    import subprocess
    import sys

    code = (
        "from datetime import datetime, timezone; from pipelines.gzfiles import make_file_name, "
        "default_host; print(make_file_name('p', datetime(2026, 1, 1, tzinfo=timezone.utc), 0, "
        "default_host(), 'warc.gz'))"
    )
    names = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(names) == 2
    for name in names:
        assert name.startswith("p-20260101000000-00000-") and "~" in name
