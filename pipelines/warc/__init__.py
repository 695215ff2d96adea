"""Verbatim WARC/1.1 capture: records, rotation, revisits, CDXJ, read-back and the Scrapy glue."""

from __future__ import annotations

from pipelines.warc.archive import (
    CaptureResult,
    DigestIndex,
    InRunDigestIndex,
    WarcArchive,
    WarcStats,
)
from pipelines.warc.cdxj import cdxj_index, cdxj_line
from pipelines.warc.config import WarcConfig
from pipelines.warc.extension import (
    WarcWriterExtension,
    capture_from_scrapy,
    software_string,
    wire_request,
)
from pipelines.warc.files import (
    WARC_EXT,
    WARC_STORE,
    ReadyFile,
    finish_warc,
    validate_warc_member,
)
from pipelines.warc.outlinks import MAX_OUTLINKS, extract_outlinks
from pipelines.warc.reader import StoredRecord, iter_records, read_record
from pipelines.warc.records import (
    CONFORMS_TO,
    REVISIT_PROFILE,
    HeaderList,
    HttpCapture,
    WarcRecordBuilder,
    fix_response_headers,
    reason_phrase,
    warc_date_now,
)

__all__ = [
    "CONFORMS_TO",
    "MAX_OUTLINKS",
    "REVISIT_PROFILE",
    "WARC_EXT",
    "WARC_STORE",
    "CaptureResult",
    "DigestIndex",
    "HeaderList",
    "HttpCapture",
    "InRunDigestIndex",
    "ReadyFile",
    "StoredRecord",
    "WarcArchive",
    "WarcConfig",
    "WarcRecordBuilder",
    "WarcStats",
    "WarcWriterExtension",
    "capture_from_scrapy",
    "cdxj_index",
    "cdxj_line",
    "extract_outlinks",
    "finish_warc",
    "fix_response_headers",
    "iter_records",
    "read_record",
    "reason_phrase",
    "software_string",
    "validate_warc_member",
    "warc_date_now",
    "wire_request",
]
