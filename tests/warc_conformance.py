"""WARC 1.1 conformance of a set of WARC files: field rules, digests, pairing, revisit targets.

`check_warcs(paths)` reads every record with warcio and returns findings, one line each
(empty: conforms). The rules are those of the WARC 1.1 specification
(https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/), with the
"should"s a crawler can always meet read as "must":

* every record: WARC/1.1, the mandatory fields (WARC-Record-ID, Content-Length, WARC-Date,
  WARC-Type), a unique `<urn:...>` record id, a UTC WARC-Date, a Content-Type when the
  block is not empty, a WARC-Block-Digest that matches the block recomputed;
* which fields each record type may carry (`ALLOWED`), and which it must (`REQUIRED`):
  a payload digest only where there is an HTTP payload (response, request, revisit);
  WARC-Refers-To-Target-URI/-Date only on revisits; WARC-Filename only on warcinfo;
  WARC-IP-Address on requests and responses;
* a WARC-Payload-Digest recomputed over the HTTP entity (response, request); a revisit's
  equals that of the record it refers to;
* each file starts with a warcinfo record naming the file;
* pairing: every response or revisit has exactly one request with WARC-Concurrent-To its
  id, the same target URI, date and IP address; every WARC-Concurrent-To names a record
  that exists;
* revisits (identical-payload-digest profile): WARC-Profile, WARC-Refers-To-Target-URI and
  WARC-Refers-To-Date name a response in the given files with the same payload digest
  (and WARC-Refers-To, when present, is that record's id); a revisit that keeps the HTTP
  headers as its block says `WARC-Truncated: length`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
# WARC 1.1 section 5: the named fields and the record types they may appear on
_ALL = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion"}
ALLOWED: dict[str, set[str]] = {
    "WARC-Record-ID": _ALL,
    "Content-Length": _ALL,
    "WARC-Date": _ALL,
    "WARC-Type": _ALL,
    "Content-Type": _ALL,
    "WARC-Block-Digest": _ALL,
    "WARC-Truncated": _ALL,
    "WARC-Concurrent-To": _ALL - {"warcinfo", "conversion"},
    "WARC-Refers-To": {"metadata", "revisit", "conversion"},
    "WARC-Refers-To-Target-URI": {"revisit"},
    "WARC-Refers-To-Date": {"revisit"},
    "WARC-Target-URI": _ALL - {"warcinfo"},
    "WARC-Warcinfo-ID": _ALL - {"warcinfo"},
    "WARC-Filename": {"warcinfo"},
    "WARC-Profile": {"revisit"},
    "WARC-Identified-Payload-Type": _ALL,
    "WARC-IP-Address": _ALL - {"warcinfo"},
    # a payload digest only where there is a well-defined (HTTP) payload
    "WARC-Payload-Digest": {"response", "request", "revisit"},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "warcinfo": ("Content-Type", "WARC-Filename"),
    "response": ("WARC-Target-URI", "Content-Type", "WARC-IP-Address", "WARC-Payload-Digest"),
    "request": ("WARC-Target-URI", "Content-Type", "WARC-IP-Address", "WARC-Concurrent-To"),
    "revisit": (
        "WARC-Target-URI",
        "WARC-Profile",
        "WARC-Payload-Digest",
        "WARC-Refers-To-Target-URI",
        "WARC-Refers-To-Date",
    ),
    "metadata": ("WARC-Target-URI", "Content-Type", "WARC-Concurrent-To"),
}
CONTENT_TYPES = {
    "warcinfo": "application/warc-fields",
    "metadata": "application/warc-fields",
    "response": "application/http; msgtype=response",
    "request": "application/http; msgtype=request",
}
_RECORD_ID = re.compile(r"^<urn:[a-z0-9][a-z0-9-]{0,31}:[^<>\s]+>$", re.I)
_WARC_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


@dataclass
class Record:
    """What the checks need of one record."""

    where: str
    rec_type: str
    fields: list[tuple[str, str]]
    block: bytes

    def get(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for n, v in self.fields if n.lower() == lname), None)

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.fields if n.lower() == name.lower())

    @property
    def id(self) -> str:
        return self.get("WARC-Record-ID") or ""

    @property
    def http_payload(self) -> bytes | None:
        _head, sep, body = self.block.partition(b"\r\n\r\n")
        return body if sep else None


def read_records(path: Path) -> list[Record]:
    """Every record of a WARC file, its block exactly as stored (no decoding)."""
    out = []
    with path.open("rb") as fh:
        it = ArchiveIterator(fh, no_record_parse=True)
        for record in it:
            block = record.raw_stream.read()
            where = f"{path.name}@{it.get_record_offset()}"
            fields = [(n, v) for n, v in record.rec_headers.headers]
            if record.rec_headers.protocol != "WARC/1.1":
                fields.append(("X-Bad-Version", record.rec_headers.protocol))
            out.append(Record(where, record.rec_type, fields, block))
    return out


def _digest_matches(value: str, data: bytes) -> bool:
    algorithm, _, encoded = value.partition(":")
    algorithm = algorithm.lower().replace("-", "")
    if algorithm not in ("sha1", "sha256", "md5", "sha512"):
        return False
    raw = hashlib.new(algorithm, data).digest()
    return encoded in (base64.b32encode(raw).decode(), raw.hex())


def _check_record(rec: Record) -> Iterable[str]:
    at = f"{rec.where} {rec.rec_type} {rec.get('WARC-Target-URI') or ''}".rstrip()
    if rec.get("X-Bad-Version"):
        yield f"{at}: version {rec.get('X-Bad-Version')}, not WARC/1.1"
    for name in MANDATORY:
        if rec.count(name) != 1:
            yield f"{at}: {name} must appear once (found {rec.count(name)})"
    if not _RECORD_ID.match(rec.id):
        yield f"{at}: WARC-Record-ID {rec.id!r} is not a <urn:...>"
    if not _WARC_DATE.match(rec.get("WARC-Date") or ""):
        yield f"{at}: WARC-Date {rec.get('WARC-Date')!r} is not UTC ISO 8601"
    if str(len(rec.block)) != (rec.get("Content-Length") or "").strip():
        yield f"{at}: Content-Length {rec.get('Content-Length')} != block {len(rec.block)}"
    for name, _ in rec.fields:
        allowed = next((v for k, v in ALLOWED.items() if k.lower() == name.lower()), None)
        if allowed is not None and rec.rec_type not in allowed:
            yield f"{at}: {name} is not allowed on {rec.rec_type} records"
    for name in REQUIRED.get(rec.rec_type, ()):
        if rec.get(name) is None:
            yield f"{at}: {name} missing"
    if rec.block and rec.get("Content-Type") is None:
        yield f"{at}: Content-Type missing on a non-empty block"
    want_type = CONTENT_TYPES.get(rec.rec_type)
    if want_type and rec.get("Content-Type") not in (None, want_type):
        yield f"{at}: Content-Type {rec.get('Content-Type')!r}, want {want_type!r}"
    block_digest = rec.get("WARC-Block-Digest")
    if block_digest is None:
        yield f"{at}: WARC-Block-Digest missing"
    elif not _digest_matches(block_digest, rec.block):
        yield f"{at}: WARC-Block-Digest does not match the block"
    payload_digest = rec.get("WARC-Payload-Digest")
    if payload_digest is not None and rec.rec_type in ("response", "request"):
        payload = rec.http_payload
        if payload is None or not _digest_matches(payload_digest, payload):
            yield f"{at}: WARC-Payload-Digest does not match the HTTP payload"
    if rec.rec_type == "revisit":
        if rec.get("WARC-Profile") != REVISIT_PROFILE:
            yield f"{at}: WARC-Profile {rec.get('WARC-Profile')!r}, want identical-payload-digest"
        if rec.block and rec.get("WARC-Truncated") != "length":
            yield f"{at}: a revisit keeping the HTTP headers must say WARC-Truncated: length"


def check_warcs(paths: Iterable[Path]) -> list[str]:
    """Findings of the WARC 1.1 checks over all records of these files (empty: conforms)."""
    findings: list[str] = []
    records: list[Record] = []
    for path in paths:
        recs = read_records(path)
        if not recs or recs[0].rec_type != "warcinfo":
            findings.append(f"{path.name}: does not start with a warcinfo record")
        elif recs[0].get("WARC-Filename") != path.name:
            findings.append(f"{path.name}: warcinfo names {recs[0].get('WARC-Filename')!r}")
        records.extend(recs)
    by_id: dict[str, Record] = {}
    for rec in records:
        findings.extend(_check_record(rec))
        if rec.id in by_id:
            findings.append(f"{rec.where}: WARC-Record-ID {rec.id} is not unique")
        by_id[rec.id] = rec

    # pairing by WARC-Concurrent-To
    requests_of: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        target = rec.get("WARC-Concurrent-To")
        if target is None:
            continue
        other = by_id.get(target)
        if other is None:
            findings.append(f"{rec.where} {rec.rec_type}: WARC-Concurrent-To {target} not found")
            continue
        if rec.rec_type in ("request", "metadata"):
            if other.rec_type not in ("response", "revisit"):
                findings.append(f"{rec.where} {rec.rec_type}: concurrent to a {other.rec_type}")
            if rec.get("WARC-Target-URI") != other.get("WARC-Target-URI"):
                findings.append(f"{rec.where} {rec.rec_type}: target URI differs from {target}")
        if rec.rec_type == "request":
            requests_of[target].append(rec)
    for rec in records:
        if rec.rec_type not in ("response", "revisit"):
            continue
        paired = requests_of.get(rec.id, [])
        if len(paired) != 1:
            findings.append(f"{rec.where} {rec.rec_type}: {len(paired)} request records, want 1")
            continue
        for name in ("WARC-Date", "WARC-IP-Address"):
            if paired[0].get(name) != rec.get(name):
                findings.append(f"{rec.where} {rec.rec_type}: its request's {name} differs")

    # revisit targets
    responses = {
        (r.get("WARC-Target-URI"), r.get("WARC-Date")): r
        for r in records
        if r.rec_type == "response"
    }
    for rec in records:
        if rec.rec_type != "revisit":
            continue
        key = (rec.get("WARC-Refers-To-Target-URI"), rec.get("WARC-Refers-To-Date"))
        original = responses.get(key)
        if original is None:
            findings.append(f"{rec.where} revisit: no response {key[0]} at {key[1]}")
            continue
        if original.get("WARC-Payload-Digest") != rec.get("WARC-Payload-Digest"):
            findings.append(f"{rec.where} revisit: payload digest differs from its original")
        refers_to = rec.get("WARC-Refers-To")
        if refers_to is not None and refers_to != original.id:
            findings.append(f"{rec.where} revisit: WARC-Refers-To is not {original.id}")
    return findings
