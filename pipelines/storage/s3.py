"""``s3://bucket/prefix`` on AWS or any S3-compatible server; the only module that imports boto3."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from crawler.config import DEFAULT_SETTINGS
from pipelines.storage.base import (
    CHUNK,
    ObjectNotFoundError,
    StorageConfigError,
    StoredObject,
    StoreUnavailableError,
    UploadVerificationError,
    file_sha256,
    option,
    scrub_secrets,
    validate_key,
)

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

_SECRET_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class _AWS:
    """boto3 and botocore, imported on first use.

    A crawl into local directories never loads them (7 MB and a tenth of a second of
    start-up); ``except _aws.ClientError`` looks the class up only when something raised.
    """

    _ERRORS = (
        "BotoCoreError",
        "ClientError",
        "ConnectTimeoutError",
        "EndpointConnectionError",
        "NoCredentialsError",
        "PartialCredentialsError",
    )

    def __getattr__(self, name: str) -> Any:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore import exceptions
        from botocore.config import Config

        loaded = {"boto3": boto3, "TransferConfig": TransferConfig, "BotoConfig": Config}
        loaded.update({error: getattr(exceptions, error) for error in self._ERRORS})
        self.__dict__.update(loaded)
        if name not in loaded:
            raise AttributeError(name)
        return loaded[name]


_aws = _AWS()


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_NO_BUCKET = {"NoSuchBucket"}
_BAD_CREDENTIALS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "InvalidClientTokenId",
    "AuthorizationHeaderMalformed",
}


class S3Store:
    """``s3://bucket/prefix`` on AWS or any S3-compatible server (SeaweedFS, MinIO, Ceph, R2).

    Credentials come only from boto3's standard chain (environment, profile, instance
    role); they are never logged or written anywhere.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str = DEFAULT_SETTINGS["ARCHIVE_S3_ADDRESSING_STYLE"],
        multipart_threshold: int = DEFAULT_SETTINGS["ARCHIVE_S3_MULTIPART_THRESHOLD"],
        multipart_chunksize: int = DEFAULT_SETTINGS["ARCHIVE_S3_MULTIPART_CHUNKSIZE"],
        max_concurrency: int = 4,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        max_attempts: int = 3,
    ) -> None:
        if addressing_style not in ("auto", "path", "virtual"):
            raise StorageConfigError(
                f"ARCHIVE_S3_ADDRESSING_STYLE={addressing_style!r} is not supported: "
                "use auto, path or virtual"
            )
        if addressing_style == "auto" and endpoint_url:
            # Self-hosted servers on an IP or a single host name rarely have wildcard DNS.
            addressing_style = "path"
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.region = region
        self.addressing_style = addressing_style
        self.transfer_config = _aws.TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
        )
        base = {
            # boto3 >= 1.36 adds CRC trailers by default, which many S3-compatible stores reject.
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
            "s3": {"addressing_style": addressing_style},
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
        }
        _quiet_aws_loggers()
        session = _aws.boto3.session.Session()
        self._client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=_aws.BotoConfig(
                **base, retries={"max_attempts": max_attempts, "mode": "standard"}
            ),
        )
        self._probe_client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=_aws.BotoConfig(**base, retries={"max_attempts": 1, "mode": "standard"}),
        )

    @classmethod
    def from_uri(cls, uri: str, options: Any = None) -> S3Store:
        parts = urlsplit(uri)
        if "@" in parts.netloc:
            raise StorageConfigError(
                f"storage URI for bucket {parts.hostname!r} contains credentials: remove them "
                "and use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role"
            )
        bucket = parts.netloc
        if not bucket or parts.query or parts.fragment or parts.port is not None:
            raise StorageConfigError(
                f"storage URI {uri!r} is not of the form s3://bucket/prefix: fix the storage setting"
            )
        prefix = unquote(parts.path).strip("/")
        if prefix:
            try:
                validate_key(prefix)
            except ValueError:
                raise StorageConfigError(
                    f"storage URI {uri!r} has an invalid prefix: use s3://bucket/some/prefix"
                ) from None
        endpoint = option(options, "AWS_ENDPOINT_URL")
        if endpoint is not None and urlsplit(str(endpoint)).scheme not in ("http", "https"):
            raise StorageConfigError(
                f"AWS_ENDPOINT_URL={endpoint!r} for {uri} is not an http(s) URL: "
                "set storage.s3.endpoint_url to e.g. http://127.0.0.1:8333"
            )
        return cls(
            bucket,
            prefix,
            endpoint_url=endpoint,
            region=option(options, "AWS_REGION_NAME"),
            addressing_style=str(option(options, "ARCHIVE_S3_ADDRESSING_STYLE")),
            multipart_threshold=int(option(options, "ARCHIVE_S3_MULTIPART_THRESHOLD")),
            multipart_chunksize=int(option(options, "ARCHIVE_S3_MULTIPART_CHUNKSIZE")),
        )

    def _full(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def uri_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._full(key)}"

    def _where(self) -> str:
        return f" at {self.endpoint_url}" if self.endpoint_url else ""

    def explain(self, exc: BaseException) -> str:
        """One sentence naming this store, what went wrong and the fix; never a secret."""
        return scrub_secrets(self._explain(exc), self._secrets())

    def _secrets(self) -> tuple[str, ...]:
        try:
            creds = self._client._request_signer._credentials  # what the requests were signed with
            frozen = creds.get_frozen_credentials() if creds is not None else None
        except Exception:  # scrubbing must not fail on botocore internals
            frozen = None
        found = [os.environ.get(name, "") for name in _SECRET_ENV]
        if frozen is not None:
            found += [frozen.access_key or "", frozen.secret_key or "", frozen.token or ""]
        return tuple(sorted({s for s in found if s}, key=len, reverse=True))

    def _explain(self, exc: BaseException) -> str:
        uri = self.describe()
        if isinstance(exc, (_aws.NoCredentialsError, _aws.PartialCredentialsError)):
            return (
                f"no AWS credentials found for {uri}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance role"
            )
        if isinstance(exc, (_aws.EndpointConnectionError, _aws.ConnectTimeoutError)):
            endpoint = self.endpoint_url or "the AWS endpoint"
            return (
                f"cannot reach {endpoint} for {uri}: check storage.s3.endpoint_url "
                "(AWS_ENDPOINT_URL) and that the S3 server is running"
            )
        if isinstance(exc, _aws.ClientError):
            code = _error_code(exc)
            if code in _NO_BUCKET:
                return (
                    f"bucket {self.bucket!r} does not exist{self._where()} for {uri}: "
                    "create it or run `newsvault crawl --create-bucket`"
                )
            if code in _BAD_CREDENTIALS:
                return (
                    f"the S3 server{self._where()} rejected the credentials for {uri} ({code}): "
                    "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
                )
            if code in ("AccessDenied", "403", "AllAccessDisabled"):
                return (
                    f"access denied to {uri}{self._where()} ({code}): grant these credentials "
                    "s3:ListBucket, s3:GetObject and s3:PutObject on the bucket"
                )
            return f"S3 error on {uri}{self._where()}: {code or _status(exc)}: {exc}"
        return f"S3 error on {uri}{self._where()}: {type(exc).__name__}: {exc}"

    def check(self, create: bool = False) -> None:
        try:
            self._probe_client.list_objects_v2(
                Bucket=self.bucket, Prefix=self.prefix + "/" if self.prefix else "", MaxKeys=1
            )
            return
        except _aws.ClientError as exc:
            if not (create and _error_code(exc) in _NO_BUCKET):
                raise StoreUnavailableError(self.explain(exc)) from None
        except _aws.BotoCoreError as exc:
            raise StoreUnavailableError(self.explain(exc)) from None
        self.create_bucket()

    def create_bucket(self) -> None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        region = self._probe_client.meta.region_name
        if region and region != "us-east-1" and not self.endpoint_url:
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._probe_client.create_bucket(**kwargs)
        except _aws.ClientError as exc:
            if _error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise StoreUnavailableError(
                    f"cannot create bucket {self.bucket!r}{self._where()}: {self.explain(exc)}"
                ) from None
        except _aws.BotoCoreError as exc:
            raise StoreUnavailableError(self.explain(exc)) from None
        logger.info("Created bucket %s%s", self.bucket, self._where())

    def _verify(self, key: str, size: int, sha256: str) -> StoredObject:
        info = self.stat(key)
        if info is None:
            raise UploadVerificationError(f"{self.uri_for(key)}: missing right after upload")
        if info.size != size or info.sha256 != sha256:
            raise UploadVerificationError(
                f"{self.uri_for(key)}: stored size {info.size} sha256 {info.sha256 or '?'} "
                f"!= local size {size} sha256 {sha256}"
            )
        return info

    def put_file(self, local_path: Path, key: str) -> StoredObject:
        full = self._full(key)
        sha = file_sha256(local_path)
        size = Path(local_path).stat().st_size
        # The ETag of a multipart upload is not an MD5 of the content, so the sha256 goes in
        # metadata and is compared after the upload (and by `newsvault verify`).
        self._client.upload_file(
            str(local_path),
            self.bucket,
            full,
            ExtraArgs={"Metadata": {"sha256": sha}, "ContentType": _content_type(key)},
            Config=self.transfer_config,
        )
        return self._verify(key, size, sha)

    def put_bytes(self, data: bytes, key: str) -> StoredObject:
        sha = hashlib.sha256(data).hexdigest()
        self._client.put_object(
            Bucket=self.bucket,
            Key=self._full(key),
            Body=data,
            Metadata={"sha256": sha},
            ContentType=_content_type(key),
        )
        return self._verify(key, len(data), sha)

    def _get(self, key: str, **kwargs: Any) -> Any:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=self._full(key), **kwargs)
        except _aws.ClientError as exc:
            if _error_code(exc) in _NOT_FOUND:
                raise ObjectNotFoundError(self.uri_for(key)) from None
            raise

    def get_bytes(self, key: str) -> bytes:
        body = self._get(key)["Body"]
        try:
            return body.read()
        finally:
            body.close()

    def stat(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self._full(key))
        except _aws.ClientError as exc:
            if _error_code(exc) in _NOT_FOUND or _status(exc) == 404:
                return None
            raise
        meta = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
        return StoredObject(key, int(head["ContentLength"]), meta.get("sha256", ""))

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def size(self, key: str) -> int:
        info = self.stat(key)
        if info is None:
            raise ObjectNotFoundError(self.uri_for(key))
        return info.size

    def sha256(self, key: str) -> str:
        body = self._get(key)["Body"]
        h = hashlib.sha256()
        try:
            for chunk in body.iter_chunks(CHUNK):
                h.update(chunk)
        finally:
            body.close()
        return h.hexdigest()

    def list(self, prefix: str = "") -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=base + prefix):
            for obj in page.get("Contents", ()):
                yield obj["Key"][len(base) :]

    def read_range(self, key: str, start: int, length: int) -> bytes:
        if start < 0 or length < 0:
            raise ValueError(f"invalid byte range start={start} length={length}")
        if length == 0:
            return b""
        try:
            body = self._get(key, Range=f"bytes={start}-{start + length - 1}")["Body"]
        except _aws.ClientError as exc:
            if _error_code(exc) == "InvalidRange" or _status(exc) == 416:
                return b""  # start is past the end, as a file read would return
            raise
        try:
            # Servers that ignore Range send the whole object; never return more than asked.
            data = body.read()
        finally:
            body.close()
        return data[:length] if len(data) > length else data

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._full(key))


def _quiet_aws_loggers() -> None:
    # botocore's DEBUG log carries Authorization headers (access key id, signature) and
    # Scrapy sets the root logger to NOTSET; credentials must never reach a log file, so
    # cap these loggers at WARNING unless someone chose a level for them on purpose.
    for name in ("botocore", "boto3", "s3transfer"):
        log = logging.getLogger(name)
        if log.level == logging.NOTSET:
            log.setLevel(logging.WARNING)


def _content_type(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    if name.endswith(".warc.gz") or name.endswith(".warc"):
        return "application/warc"
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".cdxj"):
        return "text/plain; charset=utf-8"
    if name.endswith(".gz"):
        return "application/gzip"
    return "application/octet-stream"
