"""Verbatim WARC/1.1 capture at `response_downloaded`: rotated, deduplicated, indexed, crash-safe.

The only module that imports warcio. The pure part (`WarcRecordBuilder`, `WarcArchive`)
knows nothing of Scrapy; `WarcWriterExtension` is the thin Scrapy glue around it.

What Scrapy 2.19 (Twisted HTTP/1.1 handler) gives us at `response_downloaded`, and
what that means for the records:

* The body is exactly as received: still content-encoded, already de-chunked. Twisted
  keeps Transfer-Encoding, Connection and Keep-Alive out of the response headers, so
  none is written (another handler's Transfer-Encoding would be kept as
  ``X-Orig-Transfer-Encoding``, Browsertrix's convention). Content-Length is re-added
  by Scrapy (first) from the framing, so it matches the stored body; where it does
  not (a truncated body), it is rewritten to the stored length, as Browsertrix does,
  and the record gets ``WARC-Truncated``. HEAD/1xx/204/304 keep theirs.
* Every header value is kept, in order per name (`Headers.getlist`), but the
  interleaving of different names is not; header names come canonicalised by Twisted
  (``ETag``). The reason phrase is not kept by Scrapy, so the standard phrase for the
  status code is written.
* The request object carries the headers set by the downloader middlewares; Twisted's
  Agent then adds ``Host`` (last) and the HTTP/1.1 client writes ``Content-Length``
  (first) for bodies and POST/PUT. The request record reproduces that exact order.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import logging
import platform
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urldefrag, urljoin, urlsplit

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_timestamp
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from pipelines.gzfiles import (
    MB,
    OPEN_DIR,
    ClosedFile,
    MemberLocation,
    RotatingMemberWriter,
    Uploader,
    default_host,
    ensure_spool,
    make_file_name,
    move_to_ready,
    object_key,
    recover_open_files,
    write_atomic,
)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

WARC_EXT = "warc.gz"
WARC_STORE = "warc"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
DEFAULT_SPOOL = ".newsvault/spool"
# Heritrix leaves tiny payloads alone: a revisit record would save nothing.
DEFAULT_REVISIT_MIN_BYTES = 256
MAX_OUTLINKS = 5000

HeaderList = list[tuple[bytes, bytes]]


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class WarcConfig:
    """Everything the WARC writer reads from the settings."""

    spool: Path
    prefix: str = "newsvault"
    max_file_bytes: int = 1000 * MB
    digest: str = "sha1"
    operator: str = ""
    config_hash: str = ""
    run_id: str = ""
    user_agent: str = ""
    robots: str = "obey"
    hostname: str = field(default_factory=socket.gethostname)
    host: str = field(default_factory=default_host)
    revisit_min_bytes: int = DEFAULT_REVISIT_MIN_BYTES

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> WarcConfig:
        digest = (settings.get("ARCHIVE_WARC_DIGEST") or "sha1").lower()
        if digest not in ("sha1", "sha256"):
            raise ValueError(
                f"ARCHIVE_WARC_DIGEST (warc.digest) is {digest!r}; use 'sha1' or 'sha256'"
            )
        max_mb = settings.getfloat("ARCHIVE_WARC_MAX_FILE_MB", 1000)
        if max_mb <= 0:
            raise ValueError(f"ARCHIVE_WARC_MAX_FILE_MB (warc.max_file_mb) must be > 0: {max_mb}")
        return cls(
            spool=Path(settings.get("ARCHIVE_STORAGE_SPOOL") or DEFAULT_SPOOL),
            prefix=settings.get("ARCHIVE_WARC_PREFIX") or "newsvault",
            max_file_bytes=int(max_mb * MB),
            digest=digest,
            operator=settings.get("ARCHIVE_WARC_OPERATOR") or "",
            config_hash=settings.get("ARCHIVE_CONFIG_HASH") or "",
            run_id=settings.get("ARCHIVE_RUN_ID") or "",
            user_agent=settings.get("USER_AGENT") or "",
            robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            revisit_min_bytes=settings.getint(
                "ARCHIVE_WARC_REVISIT_MIN_BYTES", DEFAULT_REVISIT_MIN_BYTES
            ),
        )


# --------------------------------------------------------------------------- captures


@dataclass
class HttpCapture:
    """One HTTP exchange as it went over the wire (body de-chunked, still content-encoded)."""

    url: str
    method: str
    request_target: str
    request_headers: HeaderList
    request_body: bytes
    protocol: str
    status: int
    response_headers: HeaderList
    body: bytes
    reason: str | None = None
    ip_address: str | None = None
    truncated: str | None = None


@dataclass(frozen=True)
class CaptureResult:
    """Provenance of the response (or revisit) record of one capture."""

    warc_file: str
    record_id: str
    offset: int
    length: int
    warc_date: str
    payload_digest: str
    revisit: bool
    request_record_id: str

    def as_meta(self) -> dict[str, Any]:
        return {
            "warc_file": self.warc_file,
            "record_id": self.record_id,
            "offset": self.offset,
            "length": self.length,
            "warc_date": self.warc_date,
            "payload_digest": self.payload_digest,
            "revisit": self.revisit,
        }


class DigestIndex(Protocol):
    """What the dedup needs from the incremental state (pipelines.state.StateIndex)."""

    def lookup_digest(self, digest: str) -> tuple[str, str] | None: ...

    def record_digest(self, digest: str, uri: str, warc_date: str) -> None: ...


class InRunDigestIndex:
    """Digests archived in this run: payload digest -> (uri, warc_date, record_id)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, str, str | None]] = {}

    def lookup(self, digest: str) -> tuple[str, str, str | None] | None:
        return self._seen.get(digest)

    def lookup_digest(self, digest: str) -> tuple[str, str] | None:
        found = self._seen.get(digest)
        return (found[0], found[1]) if found else None

    def record_digest(
        self, digest: str, uri: str, warc_date: str, record_id: str | None = None
    ) -> None:
        self._seen.setdefault(digest, (uri, warc_date, record_id))


def warc_date_now() -> str:
    """WARC/1.1 date with microseconds, UTC."""
    return datetime_to_iso_date(datetime.now(timezone.utc).replace(tzinfo=None), use_micros=True)


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _latin1(value: bytes | str) -> str:
    # latin-1 round-trips every byte, so the record holds the header bytes as received
    return value.decode("latin-1") if isinstance(value, bytes) else value


class _RawHttpHeaders(StatusAndHeaders):
    """StatusAndHeaders serialised byte for byte (warcio would %-encode non-ASCII values)."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def fix_response_headers(
    headers: HeaderList, body_length: int, *, method: str, status: int
) -> HeaderList:
    """Make the HTTP header block describe the stored (de-chunked) body.

    Renames Transfer-Encoding to X-Orig-Transfer-Encoding (the body is no longer chunked;
    Browsertrix does the same) and rewrites a Content-Length that disagrees with the
    stored body; HEAD, 1xx, 204 and 304 keep theirs, which describes a body they never
    carry.
    """
    out: HeaderList = []
    bodiless = method.upper() == "HEAD" or status in (204, 304) or 100 <= status < 200
    length_seen = False
    for name, value in headers:
        lname = name.lower()
        if lname == b"transfer-encoding":
            out.append((b"X-Orig-Transfer-Encoding", value))
            continue
        if lname == b"content-length" and not bodiless:
            if length_seen:
                continue
            length_seen = True
            if value.strip() != str(body_length).encode():
                value = str(body_length).encode()
        out.append((name, value))
    return out


class _Serializer(WARCWriter):
    """warcio's writer, uncompressed (gzfiles compresses), with a choice of digest."""

    def __init__(self, digest: str) -> None:
        super().__init__(io.BytesIO(), gzip=False, warc_version="1.1")
        self._digest = digest

    def _create_digester(self) -> Digester:  # type: ignore[override]
        return Digester(self._digest)

    def to_bytes(self, record: Any) -> bytes:
        self.out = io.BytesIO()
        self.write_record(record)
        return self.out.getvalue()


class WarcRecordBuilder:
    """Builds uncompressed WARC/1.1 records (bytes) for captures, warcinfo and metadata."""

    def __init__(self, config: WarcConfig, software: str) -> None:
        self.config = config
        self.software = software
        self._serializer = _Serializer(config.digest)

    @staticmethod
    def new_record_id() -> str:
        return RecordBuilder._make_warc_id()

    def digest(self, data: bytes) -> str:
        digester = Digester(self.config.digest)
        digester.update(data)
        return str(digester)

    def warcinfo(self, filename: str) -> bytes:
        info = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "hostname": self.config.hostname,
            "operator": self.config.operator,
            "robots": self.config.robots,
            "http-header-user-agent": self.config.user_agent,
            "isPartOf": self.config.prefix,
            "newsvault-config-hash": self.config.config_hash,
            "run-id": self.config.run_id,
        }
        record = self._serializer.create_warcinfo_record(filename, info)
        return self._serializer.to_bytes(record)

    def _http_headers(
        self, protocol: str, statusline: str, headers: HeaderList
    ) -> StatusAndHeaders:
        return _RawHttpHeaders(
            statusline,
            [(_latin1(n), _latin1(v)) for n, v in headers],
            protocol=protocol,
        )

    def request(
        self, capture: HttpCapture, warc_date: str, concurrent_to: str
    ) -> tuple[str, bytes]:
        record_id = self.new_record_id()
        http = self._http_headers(
            capture.method, f"{capture.request_target} HTTP/1.1", capture.request_headers
        )
        record = self._serializer.create_warc_record(
            capture.url,
            "request",
            payload=io.BytesIO(capture.request_body),
            length=len(capture.request_body),
            http_headers=http,
            warc_headers_dict={
                "WARC-Record-ID": record_id,
                "WARC-Date": warc_date,
                "WARC-Concurrent-To": concurrent_to,
            },
        )
        return record_id, self._serializer.to_bytes(record)

    def response(
        self,
        capture: HttpCapture,
        warc_date: str,
        payload_digest: str,
        refers_to: tuple[str, str, str | None] | None = None,
    ) -> tuple[str, bytes]:
        """A response record, or a revisit record if `refers_to` (uri, date, id) is given."""
        record_id = self.new_record_id()
        reason = capture.reason if capture.reason is not None else reason_phrase(capture.status)
        statusline = f"{capture.status} {reason}".rstrip()
        headers = fix_response_headers(
            capture.response_headers,
            len(capture.body),
            method=capture.method,
            status=capture.status,
        )
        http = self._http_headers(capture.protocol, statusline, headers)
        warc_headers: dict[str, str] = {"WARC-Record-ID": record_id, "WARC-Date": warc_date}
        if capture.ip_address:
            warc_headers["WARC-IP-Address"] = capture.ip_address
        if refers_to is None:
            if capture.truncated:
                warc_headers["WARC-Truncated"] = capture.truncated
            warc_headers["WARC-Payload-Digest"] = payload_digest
            record = self._serializer.create_warc_record(
                capture.url,
                "response",
                payload=io.BytesIO(capture.body),
                length=len(capture.body),
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
        else:
            uri, date, ref_id = refers_to
            if ref_id:
                warc_headers["WARC-Refers-To"] = ref_id
            record = self._serializer.create_revisit_record(
                capture.url,
                payload_digest,
                uri,
                date,
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
            record.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILE)
        return record_id, self._serializer.to_bytes(record)

    def metadata(
        self, url: str, warc_date: str, concurrent_to: str, fields: Iterable[tuple[str, str]]
    ) -> bytes:
        body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
        record = self._serializer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": self.new_record_id(),
                "WARC-Date": warc_date,
                "WARC-Concurrent-To": concurrent_to,
            },
        )
        return self._serializer.to_bytes(record)


# --------------------------------------------------------------------------- outlinks

_TAG_RE = re.compile(
    rb"""<(?P<tag>a|area|link|img|script|iframe|frame|source|embed|base)\b[^>]*?"""
    rb"""\s(?P<attr>href|src)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'>]+))""",
    re.IGNORECASE,
)
_SKIP_SCHEMES = ("javascript:", "mailto:", "data:", "tel:", "about:")


class _Joiner:
    """urljoin with fast paths for the common absolute and root-relative links.

    Pages carry hundreds of links and this runs on the reactor thread for every page.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.scheme = parts.scheme
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def join(self, value: str) -> str:
        if "/." not in value:
            if value.startswith(("http://", "https://")):
                return value
            if value.startswith("//"):
                return f"{self.scheme}:{value}"
            if value.startswith("/"):
                return self.origin + value
        return urljoin(self.base, value)


# "tag/@attr" as written in outlink lines, for every spelling the regex can capture
_LINK_KINDS: dict[tuple[bytes, bytes], str] = {}


def _link_kind(tag: bytes, attr: bytes) -> str:
    kind = _LINK_KINDS.get((tag, attr))
    if kind is None:
        name = tag.decode("ascii").lower()
        hop = "L" if name in ("a", "area") else "E"
        kind = _LINK_KINDS[(tag, attr)] = f"{hop} {name}/@{attr.decode('ascii').lower()}"
    return kind


def extract_outlinks(body: bytes, base_url: str, limit: int = MAX_OUTLINKS) -> list[str]:
    """Heritrix-style outlink lines (`URL HOP tag/@attr`) from HTML, cheaply, by regex."""
    joiner = _Joiner(base_url)
    seen: set[str] = set()
    out: list[str] = []
    for tag, attr, dq, sq, uq in _TAG_RE.findall(body):
        value = (dq or sq or uq).decode("utf-8", "replace")
        if "&" in value:
            value = html.unescape(value)
        value = value.strip()
        if len(tag) == 4 and tag.lower() == b"base":
            if value:
                joiner = _Joiner(urljoin(base_url, value))
            continue
        if not value or value[0] == "#":
            continue
        head = value[:11]
        if ":" in head and head.lower().startswith(_SKIP_SCHEMES):
            continue
        url = joiner.join(value)
        if "#" in url:
            url = url.partition("#")[0]
        if not url.startswith(("http://", "https://")) and not url[:8].lower().startswith(
            ("http://", "https://")
        ):
            continue
        if url in seen:
            continue
        seen.add(url)
        out.append(f"{url} {_link_kind(tag, attr)}")
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------- files


def validate_warc_member(data: bytes) -> bool:
    """True if a decompressed gzip member holds exactly one complete WARC record."""
    if not data.startswith(b"WARC/") or not data.endswith(b"\r\n\r\n"):
        return False
    head_end = data.find(b"\r\n\r\n")
    match = re.search(rb"\r\nContent-Length:\s*(\d+)", data[:head_end], re.IGNORECASE)
    if not match:
        return False
    return len(data) == head_end + 4 + int(match[1]) + 4


_MIME_SPLIT = re.compile(r"[;\s]")


def _read_back(name: bytes, value: bytes) -> str | None:
    """A header value as warcio parses it back from the record (None: unsure)."""
    line = name + b": " + value
    if b"\r" in line or b"\n" in line:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("iso-8859-1")
    return text.rstrip().split(":", 1)[1].lstrip()


def cdxj_line(
    capture: HttpCapture, warc_date: str, payload_digest: str, revisit: bool, loc: MemberLocation
) -> str | None:
    """The line `cdxj-indexer --sort --post-append` writes for this response or revisit.

    None when it would take the indexer's own reading to be sure (not a GET, or an odd
    Content-Type header); the file is then indexed from disk when it closes.
    """
    if capture.method.upper() != "GET":
        return None
    index: dict[str, str] = {"url": capture.url}
    if revisit:
        index["mime"] = "warc/revisit"
    else:
        content_type = next(
            (v for n, v in capture.response_headers if n.strip().lower() == b"content-type"),
            None,
        )
        if content_type is not None:
            mime = _read_back(b"Content-Type", content_type)
            if mime is None:
                return None
            index["mime"] = _MIME_SPLIT.split(mime, 1)[0].strip()
    index["status"] = str(capture.status)
    index["digest"] = payload_digest
    index["length"] = str(loc.length)
    index["offset"] = str(loc.offset)
    index["filename"] = loc.name
    try:
        urlkey = surt.surt(capture.url)
    except Exception:  # what cdxj-indexer does too
        urlkey = capture.url
    return f"{urlkey} {iso_date_to_timestamp(warc_date)} {json.dumps(index)}\n"


def cdxj_index(path: Path, filename: str) -> str:
    """CDXJ lines for a finished WARC, exactly as `cdxj-indexer --sort --post-append` (and
    pywb's wb-manager, which appends POST bodies too) writes them."""
    from cdxj_indexer.main import write_cdx_index

    out = io.StringIO()
    with open(path, "rb") as fh:
        write_cdx_index(out, fh, {"sort": True, "post_append": True, "filename": filename})
    return out.getvalue()


@dataclass(frozen=True)
class ReadyFile:
    path: Path
    store: str
    key: str
    records: int
    kind: str


def finish_warc(
    spool: Path, closed: ClosedFile, index_lines: list[str] | None = None
) -> list[ReadyFile]:
    """Index a closed WARC, then move it and its CDXJ to `spool/ready/warc/<key>`.

    ``index_lines`` are the CDXJ lines noted while writing (see `cdxj_line`); without
    them the file is read back and indexed. The CDXJ lands first: a crash before the
    WARC moves leaves the `.open` file, which recovery re-indexes under the same name.
    """
    key = object_key(closed.name)
    ready: list[ReadyFile] = []
    try:
        if index_lines is not None:
            index = "".join(sorted(index_lines))
        else:
            index = cdxj_index(closed.path, closed.name)
    except Exception:
        # the WARC matters more than its index: ship it anyway (`cdxj-indexer` can redo it)
        logger.exception("Could not index %s; shipping it without a CDXJ", closed.path)
    else:
        cdxj_path = Path(spool) / "ready" / WARC_STORE / (key + ".cdxj")
        write_atomic(cdxj_path, index.encode("utf-8"))
        ready.append(ReadyFile(cdxj_path, WARC_STORE, key + ".cdxj", index.count("\n"), "cdxj"))
    warc_path = move_to_ready(spool, WARC_STORE, key, closed.path)
    ready.insert(0, ReadyFile(warc_path, WARC_STORE, key, closed.records, "warc"))
    return ready


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class StoredRecord:
    """One WARC record read back, for tools that must not import warcio themselves."""

    rec_type: str
    warc_headers: list[tuple[str, str]]
    http_protocol: str | None
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes  # as stored: still content-encoded

    def warc_header(self, name: str) -> str | None:
        return next((v for n, v in self.warc_headers if n.lower() == name.lower()), None)

    def http_header(self, name: str) -> str | None:
        return next((v for n, v in self.http_headers if n.lower() == name.lower()), None)

    @property
    def target_uri(self) -> str | None:
        return self.warc_header("WARC-Target-URI")

    @property
    def record_id(self) -> str | None:
        return self.warc_header("WARC-Record-ID")

    @property
    def warc_date(self) -> str | None:
        return self.warc_header("WARC-Date")

    def decoded_payload(self) -> bytes:
        """The payload with its Content-Encoding (gzip, deflate, br) removed."""
        from warcio.bufferedreaders import BufferedReader

        encoding = (self.http_header("Content-Encoding") or "").strip().lower()
        if not self.payload or encoding not in BufferedReader.get_supported_decompressors():
            return self.payload
        return BufferedReader(io.BytesIO(self.payload), decomp_type=encoding).read()


def _stored(record: Any) -> StoredRecord:
    http = record.http_headers
    status: int | None = None
    protocol: str | None = None
    if http is not None and record.rec_type in ("response", "revisit"):
        protocol = http.protocol
        with contextlib.suppress(ValueError):
            status = int(http.get_statuscode())
    elif http is not None:
        protocol = http.protocol
    return StoredRecord(
        rec_type=record.rec_type,
        warc_headers=list(record.rec_headers.headers),
        http_protocol=protocol,
        http_status=status,
        http_headers=list(http.headers) if http is not None else [],
        payload=record.raw_stream.read(),
    )


def iter_records(path: Path) -> Iterator[StoredRecord]:
    """Every record of a WARC file, read back."""
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            yield _stored(record)


def read_record(path: Path, offset: int, length: int) -> StoredRecord:
    """The record at `offset` (its gzip member is `length` bytes), e.g. from `nv_warc` or CDXJ."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    return _stored(next(iter(ArchiveIterator(io.BytesIO(data)))))


# --------------------------------------------------------------------------- archive


@dataclass
class WarcStats:
    records: int = 0
    revisits: int = 0
    files: int = 0
    bytes: int = 0


class WarcArchive:
    """Writes captures to rotating WARC files in the spool; no Scrapy in here.

    `finisher(closed)` takes each closed file (default: `finish_warc` then `ship`,
    inline); the extension runs it in a thread.
    """

    def __init__(
        self,
        config: WarcConfig,
        *,
        software: str,
        state: DigestIndex | None = None,
        uploader: Uploader | None = None,
        finisher: Callable[[ClosedFile], Any] | None = None,
        on_stat: Callable[[str, int], None] | None = None,
    ) -> None:
        self.config = config
        self.builder = WarcRecordBuilder(config, software)
        self.state = state
        self.uploader = uploader
        self.seen = InRunDigestIndex()
        self.stats = WarcStats()
        self._on_stat = on_stat
        self.spool = ensure_spool(config.spool)
        self.finisher = finisher or self.finish_and_ship
        # CDXJ lines noted while writing, per file name; None: index that file from disk
        self._index_lines: dict[str, list[str] | None] = {}
        self.writer = RotatingMemberWriter(
            self.spool / OPEN_DIR,
            name_factory=self._name,
            on_complete=self._completed,
            max_bytes=config.max_file_bytes,
            header=self._warcinfo,
        )

    def _name(self, serial: int, created: datetime) -> str:
        return make_file_name(self.config.prefix, created, serial, self.config.host, WARC_EXT)

    def _count(self, name: str, value: int = 1) -> None:
        setattr(self.stats, name, getattr(self.stats, name) + value)
        if self._on_stat is not None:
            self._on_stat(name, value)

    def _warcinfo(self, name: str) -> list[bytes]:
        self._count("records")
        return [self.builder.warcinfo(name)]

    def take_index_lines(self, name: str) -> list[str] | None:
        """The CDXJ lines of a file this archive wrote and closed (None: not known)."""
        return self._index_lines.pop(name, None)

    def _completed(self, closed: ClosedFile) -> None:
        self._count("files")
        self._count("bytes", closed.size)
        self.finisher(closed)

    # -- dedup

    def _find_original(self, digest: str) -> tuple[str, str, str | None] | None:
        found = self.seen.lookup(digest)
        if found is not None:
            return found
        if self.state is not None:
            try:
                prior = self.state.lookup_digest(digest)
            except Exception:
                logger.exception("Digest lookup in the incremental state failed")
                prior = None
            if prior is not None:
                return prior[0], prior[1], None
        return None

    def _remember(self, digest: str, uri: str, warc_date: str, record_id: str) -> None:
        self.seen.record_digest(digest, uri, warc_date, record_id)
        if self.state is not None:
            try:
                self.state.record_digest(digest, uri, warc_date)
            except Exception:
                logger.exception("Recording a digest in the incremental state failed")

    def dedupable(self, capture: HttpCapture) -> bool:
        return (
            capture.status == 200
            and capture.method.upper() == "GET"
            and not capture.truncated
            and len(capture.body) >= self.config.revisit_min_bytes
        )

    # -- writing

    def write_capture(self, capture: HttpCapture, warc_date: str | None = None) -> CaptureResult:
        """Write response (or revisit) + request records, sharing one WARC-Date."""
        warc_date = warc_date or warc_date_now()
        digest = self.builder.digest(capture.body)
        original = self._find_original(digest) if self.dedupable(capture) else None
        response_id, response = self.builder.response(capture, warc_date, digest, original)
        request_id, request = self.builder.request(capture, warc_date, response_id)
        response_loc = self.writer.write_group([response, request], rotate=False)[0]
        lines = self._index_lines.setdefault(response_loc.name, [])
        if lines is not None:
            line = cdxj_line(capture, warc_date, digest, original is not None, response_loc)
            if line is None:
                self._index_lines[response_loc.name] = None
            else:
                lines.append(line)
        self.writer.rotate_if_full()
        self._count("records", 2)
        if original is not None:
            self._count("revisits")
        elif self.dedupable(capture):
            self._remember(digest, capture.url, warc_date, response_id)
        return CaptureResult(
            warc_file=response_loc.name,
            record_id=response_id,
            offset=response_loc.offset,
            length=response_loc.length,
            warc_date=warc_date,
            payload_digest=digest,
            revisit=original is not None,
            request_record_id=request_id,
        )

    def write_metadata(
        self, url: str, warc_date: str, concurrent_to: str, fields: Iterable[tuple[str, str]]
    ) -> None:
        self.writer.write(self.builder.metadata(url, warc_date, concurrent_to, fields))
        self._count("records")

    def close(self) -> None:
        self.writer.close()

    # -- finishing and recovery

    def finish_and_ship(self, closed: ClosedFile) -> list[ReadyFile]:
        ready = finish_warc(self.spool, closed, self.take_index_lines(closed.name))
        self.ship(ready)
        return ready

    def ship(self, ready: Iterable[ReadyFile]) -> None:
        if self.uploader is None:
            return
        for item in ready:
            self.uploader.submit(
                item.path, item.store, item.key, records=item.records, kind=item.kind
            )

    def recover(self) -> list[ClosedFile]:
        """Truncate crashed `.open` WARCs to their last complete record; finish each."""
        return recover_open_files(
            self.spool / OPEN_DIR,
            "." + WARC_EXT,
            validate=validate_warc_member,
            finish=self.finisher,
        )


# --------------------------------------------------------------------------- Scrapy glue


def software_string() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def ver(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "unknown"

    return (
        f"newsvault/{ver('newsvault')} (Scrapy/{ver('scrapy')}; warcio/{ver('warcio')}; "
        f"Python/{platform.python_version()})"
    )


def wire_request(request: Request) -> tuple[str, HeaderList]:
    """The request line target and header lines Twisted's HTTP/1.1 client sends.

    Mirrors `_ScrapyAgent.download_request` + `Agent._requestWithEndpoint` +
    `twisted.web._newclient.Request._writeHeaders` (persistent pool: no Connection).
    """
    from twisted.web.client import URI
    from twisted.web.http_headers import Headers as TxHeaders

    url = urldefrag(request.url)[0]
    parsed = URI.fromBytes(url.encode("ascii"))
    proxy = request.meta.get("proxy")
    scheme = urlsplit(url).scheme
    target = url if proxy and scheme == "http" else parsed.originForm.decode("ascii")

    headers = TxHeaders(request.headers)
    if proxy and scheme == "https":
        headers.removeHeader(b"Proxy-Authorization")  # it went to the proxy in CONNECT
    if not headers.hasHeader(b"Host"):
        host = parsed.host
        if b":" in host:  # IPv6 literal
            host = b"[" + host + b"]"
        if (parsed.scheme, parsed.port) not in ((b"http", 80), (b"https", 443)):
            host = b"%b:%d" % (host, parsed.port)
        headers.addRawHeader(b"Host", host)

    lines: HeaderList = []
    if request.body or request.method.upper() in ("POST", "PUT"):
        lines.append((b"Content-Length", str(len(request.body)).encode()))
    for name, values in headers.getAllRawHeaders():
        lines.extend((name, value) for value in values)
    return target, lines


_TRUNCATION_FLAGS = {"dataloss": "disconnect", "download_stopped": "unspecified"}
# Twisted hands Scrapy these names in this case; Scrapy's Headers then .title()s them
# ("ETag" -> "Etag"). Undo that, so the record shows what the HTTP client parsed.
_TWISTED_CASE = {
    name.lower(): name
    for name in (
        b"Content-MD5",
        b"DNT",
        b"ETag",
        b"P3P",
        b"TE",
        b"WWW-Authenticate",
        b"X-XSS-Protection",
    )
}


def capture_from_scrapy(request: Request, response: Response) -> HttpCapture:
    target, request_headers = wire_request(request)
    response_headers: HeaderList = [
        (_TWISTED_CASE.get(name.lower(), name), value)
        for name, values in response.headers.items()
        for value in values
    ]
    protocol = response.protocol or "HTTP/1.1"
    if not protocol.upper().startswith("HTTP/"):
        protocol = "HTTP/1.1"
    truncated = next((_TRUNCATION_FLAGS[f] for f in response.flags if f in _TRUNCATION_FLAGS), None)
    return HttpCapture(
        url=urldefrag(request.url)[0],
        method=request.method,
        request_target=target,
        request_headers=request_headers,
        request_body=request.body or b"",
        protocol=protocol,
        status=response.status,
        response_headers=response_headers,
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        truncated=truncated,
    )


_TWISTED_HTTP11 = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


def _warn_if_not_twisted_http11(settings: BaseSettings) -> None:
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        handler = handlers.get(scheme)
        path = handler if isinstance(handler, str) else getattr(handler, "__qualname__", "")
        if handler and not str(path).endswith("HTTP11DownloadHandler"):
            logger.warning(
                "DOWNLOAD_HANDLERS[%r] is %s: WARC request records reconstruct the headers "
                "sent by %s, so they may differ from what this handler sent",
                scheme,
                path,
                _TWISTED_HTTP11,
            )


class WarcWriterExtension:
    """Scrapy extension: archives every HTTP(S) exchange at `response_downloaded`."""

    CAPTURE_KEY = "_nv_warc_capture"

    def __init__(self, crawler: Crawler, config: WarcConfig) -> None:
        from twisted.internet import threads

        self.crawler = crawler
        self.config = config
        self._pending: list[Deferred[Any]] = []
        self._defer_to_thread = threads.deferToThread
        self.archive: WarcArchive | None = None
        self.uploader: Uploader | None = None
        self.state: DigestIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriterExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("ARCHIVE_WARC_ENABLED", True):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        # a bad value stops the crawl (ValueError): an archive must not silently go missing
        config = WarcConfig.from_settings(crawler.settings)
        _warn_if_not_twisted_http11(crawler.settings)
        ext = cls(crawler, config)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _stat(self, name: str, value: int) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsvault/warc/{name}", value)

    def spider_opened(self, spider: Spider) -> None:
        from pipelines.state import StateExtension
        from pipelines.uploadext import uploader_of

        self.uploader = uploader_of(self.crawler)
        state = self.crawler.get_extension(StateExtension)
        # without the state index, payloads are deduplicated within this run only
        self.state = state.index if state is not None else None
        self.archive = WarcArchive(
            self.config,
            software=software_string(),
            state=self.state,
            uploader=self.uploader,
            finisher=self._finish_in_thread,
            on_stat=self._stat,
        )
        self.archive.recover()

    def _finish_in_thread(self, closed: ClosedFile) -> None:
        assert self.archive is not None
        archive = self.archive
        lines = archive.take_index_lines(closed.name)
        d = self._defer_to_thread(finish_warc, archive.spool, closed, lines)
        # submit on the reactor thread: the uploader need not be thread-safe
        d.addCallback(archive.ship)
        d.addErrback(
            lambda f: logger.error(
                "Could not finish %s: %s", closed.path, f.getErrorMessage(), exc_info=f.value
            )
        )
        self._pending.append(d)
        d.addBoth(self._forget, d)

    def _forget(self, result: Any, d: Deferred[Any]) -> Any:
        if d in self._pending:
            self._pending.remove(d)
        return result

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.archive is None or urlsplit(request.url).scheme not in ("http", "https"):
            return
        capture = capture_from_scrapy(request, response)
        result = self.archive.write_capture(capture)
        request.meta["nv_warc"] = result.as_meta()
        request.meta[self.CAPTURE_KEY] = (result.record_id, result.warc_date, capture.url)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        captured = request.meta.pop(self.CAPTURE_KEY, None)
        if self.archive is None or captured is None:
            return
        record_id, warc_date, url = captured
        fields: list[tuple[str, str]] = []
        discovery = request.meta.get("nv_discovery") or {}
        if discovery.get("from"):
            fields.append(("via", str(discovery["from"])))
        if discovery:
            fields.append(("discovery", json.dumps(discovery, sort_keys=True, default=str)))
        if request.meta.get("nv_source"):
            fields.append(("source", str(request.meta["nv_source"])))
        latency = request.meta.get("download_latency")
        if latency is not None:
            fields.append(("fetchTimeMs", str(int(latency * 1000))))
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if b"html" in content_type.lower():
            fields.extend(
                ("outlink", link) for link in extract_outlinks(response.body, response.url)
            )
        self.archive.write_metadata(url, warc_date, record_id, fields)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import DeferredList

        if self.archive is not None:
            self.archive.close()
        # the last files are indexed and submitted before the uploader drains at engine_stopped
        while self._pending:
            pending, self._pending = self._pending, []
            await maybe_deferred_to_future(DeferredList(pending, consumeErrors=True))
