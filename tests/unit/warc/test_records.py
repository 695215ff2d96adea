"""WARC records: digests in the configured algorithm, HTTP headers that describe the stored body."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from pipelines.gzfiles import iter_members
from pipelines.warc import (
    fix_response_headers,
)
from tests.warc_helpers import (
    FakeState,
    make_archive,
    make_capture,
    records_of,
    warcio_check,
)


def test_sha256_digests(tmp_path: Path) -> None:
    archive, done = make_archive(tmp_path, FakeState(), digest="sha256")
    result = archive.write_capture(make_capture("https://example.org/a", b"y" * 500))
    archive.close()
    assert result.payload_digest.startswith("sha256:")
    assert warcio_check(done[0]).returncode == 0
    response = next(r for r in records_of(done[0]) if r.rec_type == "response")
    assert response.rec_headers.get_header("WARC-Block-Digest").startswith("sha256:")


def test_fix_response_headers() -> None:
    headers = [
        (b"Content-Length", b"10"),
        (b"Transfer-Encoding", b"chunked"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
    ]
    assert fix_response_headers(headers, 4, method="GET", status=200) == [
        (b"Content-Length", b"4"),
        (b"X-Orig-Transfer-Encoding", b"chunked"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
    ]
    # HEAD and 304 keep the length of the representation they do not carry
    assert fix_response_headers(headers[:1], 0, method="HEAD", status=200) == headers[:1]
    assert fix_response_headers(headers[:1], 0, method="GET", status=304) == headers[:1]
    # no Content-Length is left absent: nothing to contradict the stored body
    assert fix_response_headers([(b"X", b"y")], 5, method="GET", status=200) == [(b"X", b"y")]


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_digests_are_base32_of_block_and_payload_in_the_configured_algorithm(
    tmp_path: Path, algorithm: str
) -> None:
    def expected(data: bytes) -> str:
        return f"{algorithm}:" + base64.b32encode(hashlib.new(algorithm, data).digest()).decode()

    archive, done = make_archive(tmp_path, FakeState(), digest=algorithm)
    body = b"z" * 700
    archive.write_capture(make_capture("https://example.org/a", body))
    archive.write_capture(make_capture("https://example.org/b", body))  # a revisit
    archive.write_metadata("https://example.org/a", "2026-01-01T00:00:00Z", "<urn:x>", [("a", "b")])
    archive.close()
    with done[0].open("rb") as fh:
        members = [data for _, _, data in iter_members(fh)]
    types = []
    for data in members:
        head, _, rest = data.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        types.append(fields["WARC-Type"])
        assert fields["WARC-Block-Digest"] == expected(rest[: -len(b"\r\n\r\n")])
        assert fields["WARC-Record-ID"].startswith("<urn:uuid:")
        if fields["WARC-Type"] in ("response", "revisit"):
            assert fields["WARC-Payload-Digest"] == expected(body)
    assert types == ["warcinfo", "response", "request", "revisit", "request", "metadata"]


def test_payload_digest_only_on_records_with_an_http_payload(tmp_path: Path) -> None:
    archive, done = make_archive(tmp_path, FakeState())
    body = b"q" * 600
    archive.write_capture(make_capture("https://example.org/a", body))
    archive.write_capture(make_capture("https://example.org/b", body))  # a revisit
    archive.write_metadata("https://example.org/a", "2026-01-01T00:00:00Z", "<urn:x>", [("a", "b")])
    archive.close()
    recs = {r.rec_type: r for r in records_of(done[0])}
    assert recs["metadata"].rec_headers.get_header("WARC-Payload-Digest") is None
    assert recs["warcinfo"].rec_headers.get_header("WARC-Payload-Digest") is None
    assert recs["metadata"].rec_headers.get_header("WARC-Block-Digest")
    for kind in ("response", "request", "revisit"):
        assert recs[kind].rec_headers.get_header("WARC-Payload-Digest"), kind
    assert warcio_check(done[0]).returncode == 0


def test_request_ip_address_and_revisit_truncated_length(tmp_path: Path) -> None:
    archive, done = make_archive(tmp_path, FakeState())
    body = b"r" * 600
    archive.write_capture(make_capture("https://example.org/a", body))
    archive.write_capture(make_capture("https://example.org/b", body))
    archive.close()
    recs = records_of(done[0])
    requests = [r for r in recs if r.rec_type == "request"]
    assert [r.rec_headers.get_header("WARC-IP-Address") for r in requests] == ["192.0.2.1"] * 2
    revisit = next(r for r in recs if r.rec_type == "revisit")
    assert revisit.rec_headers.get_header("WARC-Truncated") == "length"
    assert revisit.http_headers.get_statuscode() == "200"
    response = next(r for r in recs if r.rec_type == "response")
    assert response.rec_headers.get_header("WARC-Truncated") is None
