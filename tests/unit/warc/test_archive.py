"""The WARC archive without Scrapy: revisits against the incremental state."""

from __future__ import annotations

from pathlib import Path

from tests.warc_helpers import (
    FakeState,
    make_archive,
    make_capture,
    records_of,
)


def test_revisit_across_runs_uses_the_state_index(tmp_path: Path) -> None:
    state = FakeState()
    body = b"x" * 1000
    first, _ = make_archive(tmp_path / "one", state)
    r1 = first.write_capture(make_capture("https://example.org/a", body))
    first.close()
    assert not r1.revisit
    assert state.digests[r1.payload_digest] == ("https://example.org/a", r1.warc_date)

    second, done = make_archive(tmp_path / "two", state)
    r2 = second.write_capture(make_capture("https://example.org/b", body))
    small = second.write_capture(make_capture("https://example.org/c", b"tiny"))
    second.write_capture(make_capture("https://example.org/d", b"tiny"))
    second.close()
    assert r2.revisit and not small.revisit
    recs = records_of(done[0].with_name(done[0].name))
    revisit = next(r for r in recs if r.rec_type == "revisit")
    assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == "https://example.org/a"
    assert revisit.rec_headers.get_header("WARC-Refers-To-Date") == r1.warc_date
    assert revisit.rec_headers.get_header("WARC-Refers-To") is None
    assert sum(r.rec_type == "response" for r in recs) == 2  # tiny payloads stay whole


def test_a_small_payload_is_a_revisit_of_the_same_uri_only(tmp_path: Path) -> None:
    # robots.txt is smaller than revisit_min_bytes; fetched again unchanged, it is a revisit
    state = FakeState()
    robots = b"User-agent: *\nDisallow: /private/\n"
    first, _ = make_archive(tmp_path / "one", state)
    r1 = first.write_capture(make_capture("https://example.org/robots.txt", robots))
    first.close()
    second, done = make_archive(tmp_path / "two", state)
    again = second.write_capture(make_capture("https://example.org/robots.txt", robots))
    other = second.write_capture(make_capture("https://example.org/copy.txt", robots))
    second.close()
    assert not r1.revisit and again.revisit and not other.revisit
    revisit = next(r for r in records_of(done[0]) if r.rec_type == "revisit")
    assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == (
        "https://example.org/robots.txt"
    )
    assert revisit.rec_headers.get_header("WARC-Refers-To-Date") == r1.warc_date


def test_the_in_run_digest_map_is_bounded_and_old_digests_come_from_the_state(
    tmp_path: Path,
) -> None:
    from pipelines.warc import InRunDigestIndex

    state = FakeState()
    archive, done = make_archive(tmp_path, state)
    archive.seen = InRunDigestIndex(max_entries=2)
    bodies = [bytes([65 + i]) * 1000 for i in range(4)]
    originals = [
        archive.write_capture(make_capture(f"https://example.org/{i}", body))
        for i, body in enumerate(bodies)
    ]
    assert len(archive.seen) == 2  # only the two most recent digests in memory
    recent = archive.write_capture(make_capture("https://example.org/again-3", bodies[3]))
    old = archive.write_capture(make_capture("https://example.org/again-0", bodies[0]))
    archive.close()
    assert recent.revisit and old.revisit  # the old one found in the state index
    revisits = {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in records_of(done[0])
        if r.rec_type == "revisit"
    }
    assert (
        revisits["https://example.org/again-3"].rec_headers.get_header("WARC-Refers-To")
        == originals[3].record_id
    )
    old_rec = revisits["https://example.org/again-0"].rec_headers
    assert old_rec.get_header("WARC-Refers-To-Target-URI") == "https://example.org/0"
    assert old_rec.get_header("WARC-Refers-To-Date") == originals[0].warc_date
