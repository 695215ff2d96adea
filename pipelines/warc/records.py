"""WARC/1.1 records as bytes (captures, warcinfo, metadata); the only user of warcio's writer."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from pipelines.warc.config import WarcConfig

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
WARC_VERSION = "WARC/1.1"

HeaderList = list[tuple[bytes, bytes]]


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


#: Record types without an HTTP payload: WARC 1.1 allows a payload digest only where the
#: payload is well defined, so these carry a WARC-Block-Digest alone (a revisit's payload
#: digest is its original's, set by us).
NO_PAYLOAD_TYPES = ("warcinfo", "metadata", "resource", "conversion", "continuation")


class _Writer(WARCWriter):
    """warcio's writer, never adding a payload digest to a record without an HTTP payload."""

    NO_PAYLOAD_DIGEST_TYPES = (*NO_PAYLOAD_TYPES, "revisit")


class _Serializer:
    """warcio's writer into a reused buffer, uncompressed (gzfiles compresses each record)."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self.writer = _Writer(self._buffer, gzip=False, warc_version=WARC_VERSION)

    def to_bytes(self, record: Any) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self.writer.write_record(record)
        return self._buffer.getvalue()


class WarcRecordBuilder:
    """Builds uncompressed WARC/1.1 records (bytes) for captures, warcinfo and metadata.

    Digests are computed here with the configured algorithm and set as headers before
    warcio writes the record, in the order warcio itself would add them; warcio computes
    a digest only when its header is missing, so it never falls back to its sha1.
    """

    def __init__(self, config: WarcConfig, software: str) -> None:
        self.config = config
        self.software = software
        self._serializer = _Serializer()
        self._writer = self._serializer.writer

    @staticmethod
    def new_record_id() -> str:
        return str(StatusAndHeadersParser.make_warc_id())

    def digest(self, data: bytes) -> str:
        digester = Digester(self.config.digest)
        digester.update(data)
        return str(digester)

    def _block_digest(self, http: StatusAndHeaders | None, payload: bytes) -> str:
        digester = Digester(self.config.digest)
        if http is not None:
            http.compute_headers_buffer()
            digester.update(http.headers_buff)
        digester.update(payload)
        return str(digester)

    @staticmethod
    def _warc_headers(uri: str, record_type: str, fields: dict[str, str]) -> StatusAndHeaders:
        # as warcio's create_warc_record orders them: given fields, WARC-Type, WARC-Target-URI
        headers = StatusAndHeaders("", list(fields.items()), protocol=WARC_VERSION)
        headers.replace_header("WARC-Type", record_type)
        if uri:
            headers.replace_header("WARC-Target-URI", uri)
        return headers

    def _record(
        self,
        uri: str,
        record_type: str,
        fields: dict[str, str],
        payload: bytes,
        *,
        http: StatusAndHeaders | None = None,
        content_type: str = "",
    ) -> bytes:
        headers = self._warc_headers(uri, record_type, fields)
        if record_type not in NO_PAYLOAD_TYPES and not headers.get_header("WARC-Payload-Digest"):
            headers.add_header("WARC-Payload-Digest", self.digest(payload))
        headers.add_header("WARC-Block-Digest", self._block_digest(http, payload))
        record = self._writer.create_warc_record(
            uri,
            record_type,
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type=content_type,
            warc_headers=headers,
            http_headers=http,
        )
        return self._serializer.to_bytes(record)

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
        # the fields and their order of warcio's create_warcinfo_record
        body = "".join(f"{name}: {value}\r\n" for name, value in info.items() if value)
        headers = StatusAndHeaders("", [], protocol=WARC_VERSION)
        headers.add_header("WARC-Type", "warcinfo")
        headers.add_header("WARC-Record-ID", self.new_record_id())
        if filename:
            headers.add_header("WARC-Filename", filename)
        headers.add_header("WARC-Date", self._writer.curr_warc_date())
        payload = body.encode("utf-8")
        headers.add_header("WARC-Block-Digest", self._block_digest(None, payload))
        record = self._writer.create_warc_record(
            "", "warcinfo", payload=io.BytesIO(payload), length=len(payload), warc_headers=headers
        )
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
        fields = {
            "WARC-Record-ID": record_id,
            "WARC-Date": warc_date,
            "WARC-Concurrent-To": concurrent_to,
        }
        # the address the request went to, as on its response (WARC 1.1: should)
        if capture.ip_address:
            fields["WARC-IP-Address"] = capture.ip_address
        return record_id, self._record(
            capture.url, "request", fields, capture.request_body, http=http
        )

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
        fields: dict[str, str] = {"WARC-Record-ID": record_id, "WARC-Date": warc_date}
        if capture.ip_address:
            fields["WARC-IP-Address"] = capture.ip_address
        if refers_to is None:
            if capture.truncated:
                fields["WARC-Truncated"] = capture.truncated
            fields["WARC-Payload-Digest"] = payload_digest
            return record_id, self._record(capture.url, "response", fields, capture.body, http=http)
        uri, date, ref_id = refers_to
        if ref_id:
            fields["WARC-Refers-To"] = ref_id
        record = self._writer.create_revisit_record(
            capture.url, payload_digest, uri, date, http_headers=http, warc_headers_dict=fields
        )
        record.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILE)
        # the block keeps the HTTP headers but not the payload (Heritrix writes the same)
        record.rec_headers.add_header("WARC-Truncated", "length")
        # a revisit's block is its HTTP headers alone
        record.rec_headers.add_header("WARC-Block-Digest", self._block_digest(http, b""))
        return record_id, self._serializer.to_bytes(record)

    def metadata(
        self, url: str, warc_date: str, concurrent_to: str, fields: Iterable[tuple[str, str]]
    ) -> bytes:
        body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
        warc_fields = {
            "WARC-Record-ID": self.new_record_id(),
            "WARC-Date": warc_date,
            "WARC-Concurrent-To": concurrent_to,
        }
        return self._record(
            url, "metadata", warc_fields, body, content_type="application/warc-fields"
        )
